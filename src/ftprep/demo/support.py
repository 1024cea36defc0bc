"""Help-desk scenarios (tech support, account) and the pool of every support category.

Texts are ``str.format`` templates over the slots of :mod:`ftprep.demo.slots`; see
:mod:`ftprep.demo.orders` for billing and shipping.
"""

from __future__ import annotations

from ftprep.demo.orders import BILLING, SHIPPING
from ftprep.demo.scenario import Scenario

TECH_SUPPORT = (
    Scenario(
        openers=(
            "The Acme app keeps crashing on my {device} right after I open it. I'm on version {app_version}.",
            "app crashes on launch since the last update ({app_version}), {device}",
            "Every time I open the Devices tab the app closes. {device}, app {app_version}.",
        ),
        answers=(
            "Thanks for the details! Version {app_version} had a crash on some {device} models when the device list loads. Please update to the latest version from the app store; if it still crashes, sign out, force-close the app and sign back in, which clears the cached device list.",
            "Sorry about that. Please try these steps: 1) update the Acme app to the newest version, 2) restart your {device}, 3) if it still closes, uninstall and reinstall the app. Your devices and settings are stored in your account, so nothing is lost.",
        ),
        followups=(
            (
                "Reinstalled, still crashing.",
                "Thanks for trying that. Please go to Settings > Help > Send diagnostics in the app right after a crash; it sends us the crash log. I've opened ticket {ticket_id} so our mobile team can look at it.",
            ),
            (
                "Is there a way to control my devices without the app meanwhile?",
                "Yes, your devices still run their schedules, and you can control them at https://app.example.com or via Alexa or Google Home if they are linked.",
            ),
        ),
        tool="search_help_center",
        tool_query="app crashes on launch after update {app_version}",
        tool_answers=(
            "I found the help article for this: the crash on launch in {app_version} is fixed in the next release. Until it's out, sign out and back in to clear the cached device list, and the app should open normally.",
            "According to our help center, crashes on {device} after updating to {app_version} are caused by an old cache. Clearing the app cache (Settings > Apps > Acme > Storage > Clear cache) fixes it for most people.",
        ),
    ),
    Scenario(
        openers=(
            "My {gadget} won't connect to Wi-Fi. The light just keeps blinking blue.",
            "cant pair the {gadget} with the hub, tried 5 times",
            "Setting up a new {gadget} and it fails at the 'Connecting to network' step with {error_code}.",
        ),
        answers=(
            "A blinking blue light means the {gadget} is in pairing mode but can't join your network. Acme devices only support 2.4 GHz Wi-Fi, so make sure your phone is on the 2.4 GHz band during setup, and keep the device within a few meters of the router.",
            "Let's get it connected. Please unplug the {gadget} for 10 seconds, plug it back in and hold the button for 5 seconds until the light blinks fast. Then restart setup in the app, and double-check the Wi-Fi password, since it's case-sensitive.",
        ),
        followups=(
            (
                "My router only shows one network, how do I know if it's 2.4 GHz?",
                "Many routers combine both bands under one name. You can temporarily disable 5 GHz in the router settings, or just move a bit further from the router during setup: phones switch to 2.4 GHz at longer range. Once connected, you can turn 5 GHz back on.",
            ),
            (
                "That worked, it's online now!",
                "Great to hear! The {gadget} will now update its firmware in the background, which can take a few minutes. Don't unplug it while the light is pulsing.",
            ),
        ),
        tool="search_help_center",
        tool_query="wifi setup error {error_code}",
        tool_answers=(
            "Our setup guide says error {error_code} means the device could not get an address from your router. Restart the router, then the {gadget}, and try setup again within 2 meters of the router.",
            "The help center article for {error_code} suggests checking that your network uses WPA2 (WPA3-only networks are not supported yet). Switching the router to WPA2/WPA3 mixed mode fixes it in most cases.",
        ),
    ),
    Scenario(
        openers=(
            "The firmware update on my {gadget} has been stuck at 60% for an hour.",
            "firmware update failed ({error_code}) and now the {gadget} doesn't respond",
        ),
        answers=(
            "Please don't unplug it yet. Updates can pause when the Wi-Fi signal drops. If it's still stuck in 15 minutes, unplug the {gadget} for 30 seconds and plug it back in; it will roll back to the previous firmware and retry the update automatically.",
            "When an update fails with {error_code}, the {gadget} keeps a backup of its old firmware. Power-cycle it (unplug for 30 seconds), wait until the light is solid, then start the update again from the app's device settings.",
        ),
        followups=(
            (
                "It's back but the light is red now.",
                "A solid red light means it didn't come back from recovery. Since this is a hardware fault, I've started a warranty replacement under ticket {ticket_id}; a new {gadget} ships to {street}, {city} within 2 business days.",
            ),
            (
                "How do I turn off automatic updates?",
                "In the app, open the device > Settings > Firmware and switch off Automatic updates. Security updates are still offered, but they'll wait for you to approve them.",
            ),
        ),
    ),
    Scenario(
        openers=(
            "I'm not getting motion notifications from my {camera} anymore.",
            "notifications stopped working on my {device} after I changed phones",
        ),
        answers=(
            "Notifications usually stop after a phone change or an OS update because permission is reset. On your {device}, open Settings > Notifications > Acme and allow notifications, then in the app check that Motion alerts are on for each camera.",
            "Let's check three things: notifications are allowed for the Acme app in your {device} settings, Do Not Disturb or Focus mode isn't filtering them, and Motion alerts are enabled in the camera's settings. One of these fixes it in almost every case.",
        ),
        followups=(
            (
                "They're all on already.",
                "Thanks for checking. Please sign out of the app and back in, which registers your {device} for notifications again. If that doesn't help, I'll escalate it under ticket {ticket_id}.",
            ),
            (
                "Can I get alerts only for people, not cars?",
                "Yes, with Cloud Video Pro you can turn on Smart detection in the camera settings and choose People only. Cars, animals and moving trees will then be ignored.",
            ),
        ),
    ),
)

ACCOUNT = (
    Scenario(
        openers=(
            "I'm not getting the password reset email. My email is {email}.",
            "forgot my password and the reset link never arrives ({email})",
            "Trying to log in on my new {device}, reset email isn't coming. Account: {email}",
        ),
        answers=(
            "Reset emails come from no-reply@example.com and can take a few minutes. Please check your spam and promotions folders. If it's not there, make sure {email} is the address on your account; I can send a new link once you confirm.",
            "Let's sort this out. Reset links expire after 30 minutes, so please request a new one and look in spam as well. If you use a work email, your company's filter might be blocking it.",
        ),
        followups=(
            (
                "Still nothing in spam.",
                "Thanks for checking. Some providers delay messages from new senders. Please add no-reply@example.com to your contacts and request the link once more; if it doesn't arrive within 15 minutes, I'll escalate to our accounts team (ticket {ticket_id}).",
            ),
            (
                "Got it, thanks! Logged in.",
                "Great! While you're there, consider turning on two-step verification under Account > Security. It keeps your account safe even if your password leaks.",
            ),
        ),
        tool="send_password_reset",
        tool_answers=(
            "I've just sent a new password-reset link to {email}. It's valid for 30 minutes and comes from no-reply@example.com. Check your spam folder if it isn't in your inbox within a few minutes.",
            "Done! A reset link is on its way to {email}. After you set a new password, you'll be signed out on other devices, so you'll need to log in again on your {device}.",
        ),
    ),
    Scenario(
        openers=(
            "How do I change the email on my account? I no longer use {email}.",
            "need to update my email address, my new one is {email}",
        ),
        answers=(
            "You can change it under Account > Profile > Email. We'll send a confirmation link to the new address, and the change takes effect after you click it. Your orders, devices and subscriptions stay on the account.",
            "Sure, {name}. Go to Account > Profile, choose Change email and enter {email}. After you confirm the link we send there, you'll use the new address to sign in.",
        ),
        followups=(
            (
                "I can't log in to the old one to do that.",
                "No problem. For security I need to verify you another way: please confirm the last 4 digits of the card on your most recent order and its delivery ZIP code. I'll then update the email for you.",
            ),
            (
                "Will my order history move over?",
                "Yes. The email is just your login; order history, saved addresses, devices and subscriptions all stay on the same account.",
            ),
        ),
    ),
    Scenario(
        openers=(
            "How do I turn on two-factor authentication?",
            "is there 2FA? I want to secure my account, someone tried to log in from {ip}",
        ),
        answers=(
            "Yes! Open Account > Security > Two-step verification and choose an authenticator app (recommended) or SMS to {phone}. You'll need a code from it every time you sign in on a new device. Keep the backup codes it shows you somewhere safe.",
            "Good idea. Go to Account > Security and enable Two-step verification. You can use an authenticator app or text messages. I'd also recommend changing your password and using Sign out everywhere on the same page.",
        ),
        followups=(
            (
                "What if I lose my phone?",
                "Use one of your backup codes to sign in, then set up two-step verification on your new phone. If you've lost the backup codes too, contact us and we'll verify your identity before resetting it.",
            ),
            (
                "Can you tell me where that login came from?",
                "The attempt from {ip} was blocked because the password was wrong, so nobody got in. You can see all recent sign-ins under Account > Security > Recent activity.",
            ),
        ),
    ),
    Scenario(
        openers=(
            "Please delete my account and all my data. Email {email}.",
            "I want a copy of all the personal data you have on me (GDPR request). Account {email}",
        ),
        answers=(
            "I can help with that. For your protection, I've sent a confirmation link to {email}. After you confirm, the request is processed within 30 days and you'll get an email when it's complete. Active subscriptions are cancelled and any unused store credit is lost, so please use it first.",
            "Thanks, {name}. You can download your data any time under Account > Privacy > Download my data; the archive is ready within 48 hours. Deleting the account is on the same page, and I can also submit the request for you.",
        ),
        followups=(
            (
                "What about my order history for taxes?",
                "We're legally required to keep invoices for tax purposes for up to 10 years, but they're restricted and not used for anything else. Everything else (profile, devices, recordings) is deleted.",
            ),
            (
                "Yes, please submit it for me.",
                "Done: request {ticket_id} is submitted for {email}. Please click the confirmation link we just sent; the request starts once it's confirmed.",
            ),
        ),
    ),
)

SUPPORT_SCENARIOS: dict[str, tuple[Scenario, ...]] = {
    "billing": BILLING,
    "tech_support": TECH_SUPPORT,
    "shipping": SHIPPING,
    "account": ACCOUNT,
}

#: Turns that can end any support conversation.
SUPPORT_CLOSINGS: tuple[tuple[str, str], ...] = (
    ("Thanks, that's all I needed!", "You're welcome, {name}! If anything else comes up, just message us here. Have a great day."),
    ("Perfect, thank you so much.", "Happy to help! Your reference number is {ticket_id} in case you need to follow up."),
    ("great thanks", "Anytime! Is there anything else I can help you with today?"),
    ("Can you send me a summary of this chat to {email}?", "Done, a transcript of this conversation is on its way to {email}. It can take a few minutes to arrive."),
    ("Is there a phone number I can call if this happens again?", "Yes, our support line is +1 415 555 0100, Monday to Friday 8am-8pm ET. You can also reach us here in chat around the clock."),
    ("ok thank you Nova", "My pleasure, {name}. Take care!"),
)  # fmt: skip
