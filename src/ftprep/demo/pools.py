"""Slot values, system prompts and tool definitions the demo conversations are built from.

Everything here is invented for the demo. People, companies, e-mail addresses (``example.com``,
``example.org``, ``example.net``), phone numbers (the 555-01xx and 020 7946 0xxx ranges reserved
for fiction) and IP addresses (the documentation ranges) are fake on purpose: they look like PII so
a PII stage has something to find, and belong to nobody.
"""

from __future__ import annotations

from typing import Any

COMPANY = "Acme Home & Tech"
ASSISTANT = "Nova"

MAIN_SUPPORT_PROMPT = (
    f"You are {ASSISTANT}, the customer support assistant for {COMPANY}, an online store for "
    "smart-home devices, electronics and home goods. Be friendly, concise and accurate. Help "
    "with orders, shipping, returns, billing, accounts and troubleshooting of Acme devices and "
    "the Acme app. Never ask for full card numbers or passwords. If you cannot resolve an "
    "issue, offer to escalate to a human agent. Reply in the customer's language."
)

SUPPORT_PROMPT_V1 = (
    f"You are a helpful support agent for {COMPANY}. Answer questions about orders, shipping, "
    "returns and accounts. Keep answers short."
)

CODING_PROMPT = (
    "You are a senior software engineer helping developers. Give working, idiomatic code in "
    "fenced code blocks, explain briefly why it works, and mention pitfalls when they matter."
)

GENERAL_PROMPT = (
    "You are a knowledgeable, friendly assistant. Answer clearly and accurately in a few "
    "sentences, and say so when something is uncertain or debated."
)

SUPPORT_CATEGORIES: tuple[str, ...] = ("billing", "tech_support", "shipping", "account")
CATEGORIES: tuple[str, ...] = (*SUPPORT_CATEGORIES, "coding_help", "general_knowledge")
#: Relative frequency of each category in :data:`CATEGORIES` (support logs dominate).
CATEGORY_WEIGHTS: tuple[int, ...] = (22, 20, 22, 16, 12, 8)

FIRST_NAMES = (
    "Jane", "John", "Maria", "Ahmed", "Priya", "Liam", "Sofia", "Kenji", "Amara", "Lucas",
    "Chloé", "Noah", "Fatima", "Oliver", "Mei", "Diego", "Hannah", "Mateo", "Aisha", "Ethan",
    "Zoe", "Ravi", "Elena", "Tom", "Grace", "Yusuf", "Ines", "Daniel", "Nora", "Samuel",
)  # fmt: skip
LAST_NAMES = (
    "Doe", "Smith", "Garcia", "Khan", "Patel", "Murphy", "Rossi", "Tanaka", "Okafor", "Silva",
    "Martin", "Nguyen", "Haddad", "Brown", "Chen", "Lopez", "Schmidt", "Novak", "Bello", "Walker",
    "Dubois", "Kowalski", "Ito", "Moreau", "Fischer", "Hughes", "Costa", "Jensen", "Ali", "Park",
)  # fmt: skip
EMAIL_DOMAINS = ("example.com", "example.org", "example.net", "mail.example.com")
PHONE_FORMATS = (
    "+1 415 555 01{:02d}",
    "(212) 555-01{:02d}",
    "+44 20 7946 0{:03d}",
    "+1-646-555-01{:02d}",
)
IP_PREFIXES = ("192.0.2.", "198.51.100.", "203.0.113.")
STREETS = (
    "742 Evergreen Terrace", "12 Market Street", "88 Harbor Lane", "1600 Example Avenue",
    "31 Rue de l'Exemple", "5 Mill Road", "221 Baker Row", "47 Cedar Court", "9 Orchard Way",
)  # fmt: skip
CITIES = (
    "Springfield", "Portland", "Austin", "Denver", "Toronto", "Manchester", "Dublin", "Lyon",
    "Munich", "Melbourne", "Seattle", "Boston", "Chicago", "Leeds", "Rotterdam",
)  # fmt: skip
PRODUCTS = (
    "Acme Smart Plug (2-pack)", "Acme Cam Mini", "Acme Hub 2", "Acme Video Doorbell",
    "Acme Air Purifier 300", "Acme Robot Vacuum S7", "Acme Smart Bulb (4-pack)", "Acme Thermostat",
    "noise-cancelling headphones", "USB-C fast charger", "mechanical keyboard", "27-inch monitor",
    "standing desk", "portable power bank", "Wi-Fi mesh router (3-pack)", "cast-iron skillet",
    "electric kettle", "bamboo sheet set", "ergonomic office chair", "Bluetooth speaker",
)  # fmt: skip
GADGETS = (
    "Acme Smart Plug", "Acme Cam Mini", "Acme Video Doorbell", "Acme Air Purifier 300",
    "Acme Robot Vacuum S7", "Acme Smart Bulb", "Acme Thermostat", "Acme Cam Outdoor",
)  # fmt: skip
CAMERAS = ("Acme Cam Mini", "Acme Video Doorbell", "Acme Cam Outdoor", "Acme Cam Mini 2")
DEVICES = (
    "iPhone 13", "iPhone 15 Pro", "Pixel 7", "Pixel 8a", "Galaxy S23", "Galaxy A54", "iPad Air",
    "OnePlus 11", "Moto G Power", "Windows 11 laptop", "MacBook Air",
)  # fmt: skip
APP_VERSIONS = ("4.12.0", "4.12.1", "4.13.0", "4.13.2", "5.0.0", "5.0.1", "5.1.3")
ERROR_CODES = ("E-1042", "E-2001", "E-3007", "PAY-402", "PAY-117", "NET-504", "AUTH-09", "FW-12")
CARRIERS = ("UPS", "FedEx", "USPS", "DHL", "Royal Mail", "Canada Post")
PLANS = ("Acme Plus", "Acme Protect", "Acme Protect Plus", "Cloud Video Basic", "Cloud Video Pro")
MONTHS = (
    "January", "February", "March", "April", "May", "June", "July", "August", "September",
    "October", "November", "December",
)  # fmt: skip
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
CHANNELS = ("web_chat", "web_chat", "web_chat", "mobile_app", "mobile_app", "email")


def _function(name: str, description: str, properties: dict[str, Any]) -> dict[str, Any]:
    return {
        "type": "function",
        "function": {
            "name": name,
            "description": description,
            "parameters": {
                "type": "object",
                "properties": properties,
                "required": list(properties),
                "additionalProperties": False,
            },
        },
    }


_ORDER_ID = {"order_id": {"type": "string", "description": "Order number, e.g. A12345"}}

#: The support deployment's tool set, in OpenAI form; every tool-enabled record carries all of it.
SUPPORT_TOOLS: tuple[dict[str, Any], ...] = (
    _function("lookup_order", "Look up an order's items, totals and status.", _ORDER_ID),
    _function(
        "get_shipping_status", "Get carrier, tracking number and ETA of an order.", _ORDER_ID
    ),
    _function("get_payment_history", "List the card charges and refunds of an order.", _ORDER_ID),
    _function("get_invoice", "Create a downloadable PDF invoice for an order.", _ORDER_ID),
    _function(
        "send_password_reset",
        "Send a password-reset link to the e-mail address on file.",
        {"email": {"type": "string", "description": "The account's e-mail address"}},
    ),
    _function(
        "search_help_center",
        "Search the Acme help center and return the best matching articles.",
        {"query": {"type": "string", "description": "What to search for"}},
    ),
)
SUPPORT_TOOL_NAMES = frozenset(t["function"]["name"] for t in SUPPORT_TOOLS)
#: Plausible functions the deployment does not offer (for the ``tool_unknown_function`` defect).
UNKNOWN_FUNCTIONS = ("cancel_order", "lookup_customer", "issue_refund", "get_order_status")
