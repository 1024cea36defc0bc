"""Order scenarios: billing and shipping conversations.

Texts are ``str.format`` templates over the slots of :mod:`ftprep.demo.slots` (``{name}``,
``{order_id}``, ``{amount}``, ``{date}`` in the past, ``{eta}`` in the future...). A scenario with a
``tool`` can be played as a plain answer or as a function call, its result and an answer using it.
"""

from __future__ import annotations

from ftprep.demo.scenario import Scenario

BILLING = (
    Scenario(
        openers=(
            "Hi, I was charged twice for order {order_id}: two charges of {amount} on my card ending in {last4}. Can you fix this?",
            "hello my bank app shows {amount} taken twice for the same order ({order_id}). what happened??",
            "I see a duplicate charge of {amount} from Acme on {date}. Order number is {order_id}.",
        ),
        answers=(
            "Thanks for flagging this, {name}. A second charge of {amount} on order {order_id} is almost always a pending authorization from a retried payment, and it drops off on its own within 3-5 business days; only one charge settles. If both are still posted after {eta}, reply here and I'll refund the duplicate right away.",
            "Sorry for the scare! When a payment is retried, your bank can show the authorization twice. Only one {amount} charge for order {order_id} will settle and the other disappears within a few business days. If it doesn't, send us a screenshot of the statement and we'll refund it.",
        ),
        followups=(
            (
                "It's been a week already and both are still there.",
                "Thanks for your patience. I've opened refund request {ticket_id} for the duplicate {amount}; you'll get a confirmation email at {email}, and the money is back on the card ending in {last4} within 5-10 business days.",
            ),
            (
                "Will this affect my credit score?",
                "No. Card authorizations and refunds are not reported to credit bureaus, so the duplicate charge has no effect on your credit score.",
            ),
        ),
        tool="get_payment_history",
        tool_answers=(
            "I checked the payments for order {order_id}: one charge of {amount} has settled, and the second one is already marked for reversal. It should vanish from your statement within 3-5 business days, no action needed on your side.",
            "Good news: only one {amount} charge for order {order_id} actually went through. The other is a pending authorization that is being reversed; your bank usually removes it within a few business days.",
        ),
    ),
    Scenario(
        openers=(
            "I returned the {product} from order {order_id} last week. When will I get my refund?",
            "hi, where is my refund? sent back the {product} on {date}",
            "Return for order {order_id} was dropped off at {carrier} {days} days ago and I still have no refund. Can you check?",
        ),
        answers=(
            "Returns are processed within 2 business days of reaching our warehouse, and the refund of {amount} then goes back to your original payment method. Banks can take another 5-10 business days to show it. You'll get an email at {email} as soon as the refund is issued.",
            "Once the {product} arrives at our returns center, we inspect it and refund {amount} to the card you paid with, usually within 2 business days. After that it depends on your bank, typically up to 10 business days.",
        ),
        followups=(
            (
                "Can I get store credit instead? It'd be faster.",
                "Yes! Store credit is issued as soon as the return is scanned in, so it's the fastest option. I've switched the refund for order {order_id} to store credit; {amount} will appear under Account > Wallet.",
            ),
            (
                "The tracking says it was delivered to you on {date}.",
                "Thanks, that helps. Returns are sometimes scanned in a day or two after delivery at busy times. I've flagged order {order_id} for priority processing, reference {ticket_id}.",
            ),
        ),
        tool="lookup_order",
        tool_answers=(
            "Your return for order {order_id} was received at our warehouse and the refund of {amount} is being processed. You should see it on your statement within 5-10 business days; a confirmation goes to {email}.",
            "I can see the {product} arrived back with us and the refund of {amount} was issued today. Depending on your bank it can take up to 10 business days to show up.",
        ),
    ),
    Scenario(
        openers=(
            "Can I get an invoice for order {order_id}? I need it for an expense report, with our VAT number on it.",
            "Need a proper invoice (not just the receipt) for {order_id} please",
            "Hi, my accounting team needs a PDF invoice for order {order_id}, placed on {date}.",
        ),
        answers=(
            "Sure! You can download a PDF invoice under Orders > {order_id} > Download invoice. To add a VAT number, save it under Account > Billing details first, then download the invoice again and it will include it.",
            "Of course. Invoices are available for every order under Orders > {order_id} > Invoice. If you need a company name or VAT number on it, add them in your billing details before downloading.",
        ),
        followups=(
            (
                "The company name on it is wrong, can you change it?",
                "I've updated the billing name on order {order_id} and issued a corrected invoice, {invoice_id}. The old one is void; the new PDF is on the order page and was also sent to {email}.",
            ),
            (
                "Can you email it to my colleague at {email}?",
                "Done, the invoice for order {order_id} has been sent to {email}. It comes from billing@example.com, in case it lands in a spam folder.",
            ),
        ),
        tool="get_invoice",
        tool_answers=(
            "Here is your invoice {invoice_id} for order {order_id}: https://example.com/invoices/{invoice_id}.pdf. It's also saved on the order page, and you can add a VAT number under Account > Billing details and regenerate it.",
            "I've generated invoice {invoice_id} for order {order_id} ({amount}). Download link: https://example.com/invoices/{invoice_id}.pdf. The link stays valid for 30 days.",
        ),
    ),
    Scenario(
        openers=(
            "Why did my {plan} subscription go up to {amount} this month? Nobody told me.",
            "My {plan} renewal was more than last year. Is that a mistake?",
        ),
        answers=(
            "{plan} prices changed on {date}, and an email about it was sent to {email} 30 days before your renewal. Your new rate of {amount} applies from this billing cycle. If you'd rather not continue, you can cancel under Account > Subscriptions and get a prorated refund within 14 days of renewal.",
            "Thanks for asking, {name}. The renewal price of {plan} was updated this year; the notice went to {email} a month before renewal. If the new price doesn't work for you, you can switch plans or cancel within 14 days for a prorated refund.",
        ),
        followups=(
            (
                "OK please cancel it then.",
                "Done. {plan} is cancelled and a prorated refund of {amount} goes back to the card ending in {last4} within 5-10 business days. Your cameras keep working; only cloud recordings stop at the end of the period.",
            ),
            (
                "Is there a cheaper plan?",
                "Yes, Cloud Video Basic keeps 7 days of recordings instead of 30 and costs about half as much. You can switch any time under Account > Subscriptions; the difference is credited to your next bill.",
            ),
        ),
    ),
    Scenario(
        openers=(
            "My card keeps getting declined at checkout, error {error_code}. It works everywhere else.",
            "payment failed 3 times, code {error_code}, card ending {last4}. help",
        ),
        answers=(
            "Error {error_code} means the payment was declined before it reached us, usually by the bank's fraud check or because the billing address doesn't match the card. Please check the address and ZIP code, then try again; if it still fails, your bank can approve the payment on their side, or you can use PayPal or Apple Pay instead.",
            "Sorry about that, {name}. {error_code} is a decline from the card issuer. The most common causes are a billing ZIP code that doesn't match, or the bank blocking an online purchase. A quick call to your bank usually fixes it, and your cart is saved in the meantime.",
        ),
        followups=(
            (
                "Bank says it's not them.",
                "Thanks for checking. I've cleared the payment-risk flag on your account, so please try once more in about 10 minutes. If it fails again, I'll escalate to our payments team under ticket {ticket_id}.",
            ),
            (
                "Can I pay by bank transfer instead?",
                "Bank transfer is available for orders over $500 and for business accounts. For this order, PayPal, Apple Pay, Google Pay and gift cards all work at checkout.",
            ),
        ),
    ),
)

SHIPPING = (
    Scenario(
        openers=(
            "Where is my order {order_id}? It was supposed to arrive {date}.",
            "hi any update on {order_id}?? tracking hasnt changed in days",
            "My package with the {product} still hasn't shown up. Order {order_id}.",
        ),
        answers=(
            "Let me help. Order {order_id} shipped with {carrier}, tracking number {tracking}. Carriers sometimes don't scan parcels at every stop, so tracking can look frozen for a day or two. The current estimate is {eta}; if nothing has moved by then, we'll send a replacement or refund you.",
            "Thanks for your patience, {name}. Your {product} is on its way with {carrier} (tracking {tracking}). It's running a little behind, and the updated delivery estimate is {eta}.",
        ),
        followups=(
            (
                "Can you just send a new one?",
                "If tracking hasn't updated by {eta}, I'll ship a replacement {product} by express at no charge. I've noted this on order {order_id} (ticket {ticket_id}), so any agent can do it right away.",
            ),
            (
                "Can the driver leave it with my neighbor?",
                "You can set that up directly with {carrier} using tracking number {tracking}: choose 'Deliver to neighbor' and enter the address. We can't change it from our side once it has shipped.",
            ),
        ),
        tool="get_shipping_status",
        tool_answers=(
            "Order {order_id} is with {carrier} (tracking {tracking}) and was last scanned at their {city} facility. The estimated delivery is {eta}. You can follow it at https://track.example.com/{tracking}.",
            "I checked: your package is in transit with {carrier}, tracking number {tracking}, and is expected on {eta}. It's running about a day late because of high volume at the {city} hub.",
        ),
    ),
    Scenario(
        openers=(
            "I need to change the delivery address for order {order_id}. New address: {street}, {city} {zip}.",
            "moved last week, can you send {order_id} to {street}, {city} instead?",
        ),
        answers=(
            "I can update it as long as the order hasn't shipped yet. Order {order_id} is still being packed, so I've changed the delivery address to {street}, {city} {zip}. You'll get an updated confirmation at {email}.",
            "No problem! The address on order {order_id} is now {street}, {city} {zip}. Please check that everything is spelled right, since the carrier label will be printed from it.",
        ),
        followups=(
            (
                "Can you also update my default address?",
                "Done, {street}, {city} {zip} is now your default shipping address for future orders. You can manage saved addresses under Account > Addresses.",
            ),
            (
                "And the phone number for delivery is {phone}.",
                "Got it, I've added {phone} as the contact number for delivery of order {order_id}. The carrier only uses it if they can't find the address.",
            ),
        ),
    ),
    Scenario(
        openers=(
            "Tracking says my order {order_id} was delivered on {date} but I never got it.",
            "package marked delivered, nothing at my door. {order_id}",
        ),
        answers=(
            "That's annoying, let's find it. Sometimes carriers mark parcels delivered a little early, or leave them at a side door, with a neighbor or in a mailroom. Please check those places and wait until the end of the next business day. If it still hasn't turned up, reply here and we'll send a replacement or a refund.",
            "That's frustrating, {name}. Please check with neighbors and around the building. If it hasn't appeared within 24 hours, I'll open a carrier investigation and send a replacement {product} to {street}, {city} right away.",
        ),
        followups=(
            (
                "Still nothing today.",
                "Thanks for checking. I've opened investigation {ticket_id} with {carrier} and shipped a replacement {product} by express; you'll get new tracking at {email} within a few hours. There's no need to return anything.",
            ),
            (
                "Do I need to file a police report?",
                "No, that isn't needed for us. We handle it directly with {carrier}. A police report is only useful if you suspect theft and want it documented for yourself.",
            ),
        ),
        tool="get_shipping_status",
        tool_status="delivered",
        tool_answers=(
            "{carrier}'s record shows order {order_id} was left at the front door at 2:14 pm with a photo. Since you didn't receive it, I've opened investigation {ticket_id} and will ship a replacement if it isn't found within 24 hours.",
            "The carrier marked it delivered to a parcel locker near {street}. You should have a pickup code by SMS at {phone}; if you didn't get one, I'll open a trace with {carrier}.",
        ),
    ),
    Scenario(
        openers=(
            "Do you ship to {city}? And will I have to pay customs fees?",
            "How long does shipping take to {city} and how much is it?",
        ),
        answers=(
            "Yes, we ship to {city}! Standard shipping takes 3-5 business days and is free over $50; express takes 1-2 days for $14.99. For international orders, duties and taxes are calculated at checkout, so there are no surprise fees at delivery.",
            "We deliver to {city} with {carrier}. Standard delivery is usually 3-5 business days, and it's free on orders over $50. Any import duties are included in the price shown at checkout.",
        ),
        followups=(
            (
                "Can I pick it up somewhere instead?",
                "In most areas, yes: choose 'Pickup point' at checkout and pick a {carrier} location near you. Parcels are held there for 7 days.",
            ),
            (
                "What if I'm not home?",
                "{carrier} will try again the next business day or leave a notice to collect it from a nearby pickup point. You can also choose a safe place to leave it in the tracking page.",
            ),
        ),
    ),
)
