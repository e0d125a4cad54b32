"""Demo content for the Northwind Appliances collaboration portal.

Pure data, no app imports: the seeding code turns it into organizations, teams, users,
categories, ideas, votes and comments so a newcomer sees a lively portal straight away.

Northwind Appliances makes smart kitchen appliances (SmartOven S3, FrostLine fridges, DishPro
dishwashers, K2 kettle, AirCrisp air fryer, ChefPad hub, Northwind Home app). Customers use the
products; suppliers (Acme Components, Baltic Logistics) deliver parts and logistics.

Visibility, which the data respects throughout:

- category audience "public": everyone; "customers": customers and staff;
  "suppliers": suppliers and staff
- a confidential idea (supplier authors only): its author's organization and staff
- commenters and repliers are always people who can see the idea

Fields:

- USERS: ``email``, ``name``, ``kind`` (customer, supplier, staff), ``role`` (member,
  moderator, admin), ``org`` (organization name or None), ``teams`` (team names). The first
  five are the easy demo sign-ins. A user's @handle is the email local part with "." -> "-".
- CATEGORIES: ``slug``, ``name``, ``description``, ``audience``, ``team`` (or None).
- IDEAS: ``key`` (unique, for COMMENTS), ``title``, ``body`` (Markdown), ``category`` (slug),
  ``kind``, ``author`` (email), ``status``, ``status_note`` (None only when open),
  ``confidential``, ``age_days`` (days since posting), ``voters`` (extra voters to pick among
  the users who can see the idea, not counting the author).
- COMMENTS: ``idea`` (key), ``author`` (email), ``body`` (Markdown), ``official`` (staff only),
  ``replies`` (one level deep: ``author``, ``body``).
"""

# Supplier companies.
ORGANIZATIONS = ["Acme Components", "Baltic Logistics"]

# Internal Northwind staff teams.
TEAMS = ["Product", "Supply Chain", "Customer Care", "Quality"]

# Easy demo sign-ins first: admin, moderator, staff, customer, supplier.
USERS = [
    {
        "email": "admin@example.com",
        "name": "Dana Whitfield",
        "kind": "staff",
        "role": "admin",
        "org": None,
        "teams": ["Product"],
    },
    {
        "email": "moderator@example.com",
        "name": "Morgan Ellis",
        "kind": "customer",
        "role": "moderator",
        "org": None,
        "teams": [],
    },
    {
        "email": "staff@example.com",
        "name": "Sam Okafor",
        "kind": "staff",
        "role": "member",
        "org": None,
        "teams": ["Customer Care"],
    },
    {
        "email": "customer@example.com",
        "name": "Casey Brooks",
        "kind": "customer",
        "role": "member",
        "org": None,
        "teams": [],
    },
    {
        "email": "supplier@acme.example.com",
        "name": "Priya Nair",
        "kind": "supplier",
        "role": "member",
        "org": "Acme Components",
        "teams": [],
    },
    {
        "email": "elena.rossi@example.com",
        "name": "Elena Rossi",
        "kind": "staff",
        "role": "member",
        "org": None,
        "teams": ["Product", "Customer Care"],
    },
    {
        "email": "tomas.lindqvist@example.com",
        "name": "Tomas Lindqvist",
        "kind": "staff",
        "role": "member",
        "org": None,
        "teams": ["Supply Chain"],
    },
    {
        "email": "grace.mbeki@example.com",
        "name": "Grace Mbeki",
        "kind": "staff",
        "role": "member",
        "org": None,
        "teams": ["Quality", "Supply Chain"],
    },
    {
        "email": "alice@example.com",
        "name": "Alice Moreau",
        "kind": "customer",
        "role": "member",
        "org": None,
        "teams": [],
    },
    {
        "email": "ben.carter@example.com",
        "name": "Ben Carter",
        "kind": "customer",
        "role": "member",
        "org": None,
        "teams": [],
    },
    {
        "email": "chloe.nguyen@example.com",
        "name": "Chloe Nguyen",
        "kind": "customer",
        "role": "member",
        "org": None,
        "teams": [],
    },
    {
        "email": "diego@example.com",
        "name": "Diego Alvarez",
        "kind": "customer",
        "role": "member",
        "org": None,
        "teams": [],
    },
    {
        "email": "fatima.khan@example.com",
        "name": "Fatima Khan",
        "kind": "customer",
        "role": "member",
        "org": None,
        "teams": [],
    },
    {
        "email": "george@example.com",
        "name": "George Papadopoulos",
        "kind": "customer",
        "role": "member",
        "org": None,
        "teams": [],
    },
    {
        "email": "hannah.schmidt@example.com",
        "name": "Hannah Schmidt",
        "kind": "customer",
        "role": "member",
        "org": None,
        "teams": [],
    },
    {
        "email": "s.berg@acme.example.com",
        "name": "Stefan Berg",
        "kind": "supplier",
        "role": "member",
        "org": "Acme Components",
        "teams": [],
    },
    {
        "email": "m.ortiz@acme.example.com",
        "name": "Maria Ortiz",
        "kind": "supplier",
        "role": "member",
        "org": "Acme Components",
        "teams": [],
    },
    {
        "email": "j.kalnins@baltic.example.com",
        "name": "Jānis Kalniņš",
        "kind": "supplier",
        "role": "member",
        "org": "Baltic Logistics",
        "teams": [],
    },
    {
        "email": "l.ozola@baltic.example.com",
        "name": "Līga Ozola",
        "kind": "supplier",
        "role": "member",
        "org": "Baltic Logistics",
        "teams": [],
    },
    {
        "email": "a.tamm@baltic.example.com",
        "name": "Andres Tamm",
        "kind": "supplier",
        "role": "member",
        "org": "Baltic Logistics",
        "teams": [],
    },
]

CATEGORIES = [
    {
        "slug": "feature-ideas",
        "name": "Feature ideas",
        "description": (
            "New things you would like your Northwind appliances or the Northwind Home app to do."
        ),
        "audience": "public",
        "team": "Product",
    },
    {
        "slug": "mobile-app",
        "name": "Mobile app",
        "description": (
            "The Northwind Home app for iOS and Android: controls, notifications, widgets, layout."
        ),
        "audience": "public",
        "team": "Product",
    },
    {
        "slug": "bugs-and-problems",
        "name": "Bugs & problems",
        "description": (
            "Something not working as it should? Tell us the appliance, firmware or app version, "
            "and what you expected to happen."
        ),
        "audience": "public",
        "team": "Customer Care",
    },
    {
        "slug": "beta-program",
        "name": "Beta program",
        "description": (
            "Feedback on beta firmware and early features. Visible to customers and Northwind "
            "staff."
        ),
        "audience": "customers",
        "team": "Product",
    },
    {
        "slug": "warranty-and-service",
        "name": "Warranty & service",
        "description": "Warranty coverage, repairs, technician visits and spare parts.",
        "audience": "customers",
        "team": "Customer Care",
    },
    {
        "slug": "supply-chain",
        "name": "Supply chain",
        "description": (
            "Forecasts, ordering, pricing, EDI and planning between Northwind and its suppliers."
        ),
        "audience": "suppliers",
        "team": "Supply Chain",
    },
    {
        "slug": "quality-and-specs",
        "name": "Quality & specs",
        "description": "Drawings, tolerances, inspection results and part qualification.",
        "audience": "suppliers",
        "team": "Quality",
    },
    {
        "slug": "logistics",
        "name": "Logistics",
        "description": "Transport, packaging, labels, dock slots and returns.",
        "audience": "suppliers",
        "team": "Supply Chain",
    },
]

IDEAS = [
    {
        "key": "watch-preheat-alert",
        "title": "Notify me on my smartwatch when the oven finishes preheating",
        "body": (
            "I usually start preheating the SmartOven S3 and then go and do something else. The "
            "phone notification is easy to miss when my phone is in another room, but my watch is "
            "always on my wrist.\n\n"
            "What I'd love:\n\n"
            "- A tap on the wrist when **preheat is done**\n"
            "- The same for timers and when the probe reaches its target temperature\n"
            '- Ideally an "add 5 minutes" button right on the watch\n\n'
            "The phone app already sends these notifications, so hopefully this is mostly about "
            "making them show up properly on watches."
        ),
        "category": "feature-ideas",
        "kind": "idea",
        "author": "alice@example.com",
        "status": "planned",
        "status_note": (
            "Planned for app 4.3 (target: early autumn). We'll start with Apple Watch and Wear OS "
            "notifications for preheat done, timer done and probe target reached."
        ),
        "confidential": False,
        "age_days": 64,
        "voters": 16,
    },
    {
        "key": "household-sharing",
        "title": "Let every household member control our appliances from their own account",
        "body": (
            "Right now our appliances are tied to one Northwind account, so my partner and I share "
            "a password. That's awkward, and it means we both get every single notification.\n\n"
            "Please add proper household sharing:\n\n"
            "1. The owner invites others by email\n"
            "2. Each person has their own notification settings\n"
            "3. Optional restrictions (for example, the kids can't start the oven remotely)\n\n"
            "Honestly, every other smart home app has had this for years."
        ),
        "category": "feature-ideas",
        "kind": "idea",
        "author": "ben.carter@example.com",
        "status": "in_progress",
        "status_note": (
            "In progress: household invites are in internal testing. Each member gets their own "
            "login and notification settings; the owner decides who may start heating appliances "
            "remotely. Beta testers will see it first."
        ),
        "confidential": False,
        "age_days": 92,
        "voters": 18,
    },
    {
        "key": "energy-report",
        "title": "Monthly energy usage report per appliance",
        "body": (
            "Energy prices went up a lot this year and I'd like to know what each appliance "
            "actually costs me.\n\n"
            "A simple monthly report would be enough: kWh per appliance, a rough cost based on a "
            "price I enter, and a comparison with last month. Bonus points for showing which "
            "programs use the most (I suspect the **pyrolytic self-clean** is a monster)."
        ),
        "category": "feature-ideas",
        "kind": "idea",
        "author": "fatima.khan@example.com",
        "status": "under_review",
        "status_note": (
            "Under review: the oven and dishwasher measure their real power draw, the fridge only "
            "estimates it. We're checking whether the estimates are accurate enough to show next "
            "to real measurements."
        ),
        "confidential": False,
        "age_days": 30,
        "voters": 11,
    },
    {
        "key": "offline-local-control",
        "title": "Keep basic controls working when the Northwind cloud is down",
        "body": (
            "During the outage on 14 March I could not even switch off the oven timer from the "
            "app, because everything goes through the cloud. The oven was fine, my Wi-Fi was fine, "
            "but the app just showed a spinner.\n\n"
            "I don't expect remote access to work without the cloud, but **when I'm on the same "
            "network** the app should talk to the appliance directly. Start, stop, timers and "
            "status would cover 95% of what I need.\n\n"
            "This is a trust issue as much as a feature request. A kitchen appliance should not "
            "depend on a server somewhere to switch off."
        ),
        "category": "feature-ideas",
        "kind": "improvement",
        "author": "george@example.com",
        "status": "planned",
        "status_note": (
            "Planned: local control over your home network for start/stop, timers and status, "
            "starting with the SmartOven S3 and the ChefPad hub. The incident report for the March "
            "outage is linked from our status page."
        ),
        "confidential": False,
        "age_days": 110,
        "voters": 17,
    },
    {
        "key": "voice-units",
        "title": "Voice assistant answers should respect my metric/imperial setting",
        "body": (
            'When I ask the voice assistant "how hot is the oven?" it answers in Fahrenheit, even '
            "though both the app and the oven display are set to Celsius. A small thing, but it "
            "makes the voice feature feel unfinished."
        ),
        "category": "feature-ideas",
        "kind": "improvement",
        "author": "hannah.schmidt@example.com",
        "status": "open",
        "status_note": None,
        "confidential": False,
        "age_days": 12,
        "voters": 4,
    },
    {
        "key": "hub-dark-mode",
        "title": "Dark mode for the ChefPad hub display",
        "body": (
            "Our ChefPad is mounted next to the dining table and at night the bright white screen "
            "lights up the whole room. A dark theme (or at least automatic dimming after sunset) "
            "would make it much nicer to live with."
        ),
        "category": "feature-ideas",
        "kind": "idea",
        "author": "chloe.nguyen@example.com",
        "status": "done",
        "status_note": (
            'Shipped in ChefPad firmware 2.8. Go to Settings › Display › Theme; "Automatic" '
            "switches to dark at sunset for your location."
        ),
        "confidential": False,
        "age_days": 120,
        "voters": 14,
    },
    {
        "key": "recipes-subscription",
        "title": "Will guided recipes require a subscription in the future?",
        "body": (
            "A friend sent me an article saying smart appliance makers are moving recipe content "
            "behind subscriptions. I paid a premium for the SmartOven S3 partly because of the "
            "guided recipes.\n\n"
            "Can Northwind say clearly whether that's planned? I'd rather know now than be "
            "surprised later."
        ),
        "category": "feature-ideas",
        "kind": "question",
        "author": "customer@example.com",
        "status": "done",
        "status_note": (
            "Answered: every guided recipe available today stays free for every appliance, with no "
            "subscription. See the official reply in the comments for details."
        ),
        "confidential": False,
        "age_days": 48,
        "voters": 15,
    },
    {
        "key": "probe-praise",
        "title": "The SmartOven S3 meat probe is the best thing in my kitchen",
        "body": (
            "Just wanted to say: the wireless probe has completely changed how I cook. Perfect "
            "medium-rare roast beef three Sundays in a row, and the **rest reminder** is "
            "genius.\n\n"
            'Only a tiny wish: let me rename saved probe profiles ("Beef 54°C" is fine, but '
            '"Dad\'s Sunday roast" would be nicer).'
        ),
        "category": "feature-ideas",
        "kind": "praise",
        "author": "diego@example.com",
        "status": "open",
        "status_note": None,
        "confidential": False,
        "age_days": 8,
        "voters": 9,
    },
    {
        "key": "fridge-camera",
        "title": "Fridge camera that tells me what's running low",
        "body": (
            "It would be great if the FrostLine fridge had a camera inside so I could check from "
            "the supermarket whether we still have milk or eggs. Some competitors already offer "
            "this."
        ),
        "category": "feature-ideas",
        "kind": "idea",
        "author": "customer@example.com",
        "status": "declined",
        "status_note": (
            "Declined for the current FrostLine generation: a camera module would add roughly 15% "
            "to the price, and in our tests it recognised fewer than half of packaged items "
            "reliably. We'll revisit this for the next hardware generation."
        ),
        "confidential": False,
        "age_days": 75,
        "voters": 7,
    },
    {
        "key": "matter-home-assistant",
        "title": "Official Matter / Home Assistant integration",
        "body": (
            "Please support **Matter** (or at least publish a documented local API) so Northwind "
            "appliances can live in Home Assistant, Apple Home and Google Home alongside "
            "everything else.\n\n"
            "The community integration works by scraping the app's private API and breaks every "
            "few weeks. Things people want to automate:\n\n"
            "- Turn on the extractor fan when the oven starts\n"
            "- Flash the living-room lights when the dishwasher is done\n"
            "- Pause the dishwasher during peak electricity prices\n\n"
            "Have a look at the [community integration](https://example.com/northwind-ha) to see "
            "how many people are already trying."
        ),
        "category": "feature-ideas",
        "kind": "idea",
        "author": "george@example.com",
        "status": "under_review",
        "status_note": (
            "Under review: the current Wi-Fi module can't run Matter, so we're assessing whether "
            "the ChefPad hub can act as a bridge for existing appliances. No date yet; we'd rather "
            "not promise one we can't keep."
        ),
        "confidential": False,
        "age_days": 85,
        "voters": 17,
    },
    {
        "key": "watch-alert-dup",
        "title": "Apple Watch alert when oven is ready",
        "body": (
            "Would be nice to get an alert on my Apple Watch when the oven has reached temperature."
        ),
        "category": "feature-ideas",
        "kind": "idea",
        "author": "hannah.schmidt@example.com",
        "status": "duplicate",
        "status_note": (
            'Duplicate of "Notify me on my smartwatch when the oven finishes preheating". Please '
            "vote and follow there for updates."
        ),
        "confidential": False,
        "age_days": 40,
        "voters": 2,
    },
    {
        "key": "custom-programs",
        "title": "Save my own multi-stage cooking programs",
        "body": (
            "I bake sourdough every weekend and always do the same thing: 250°C with steam for 20 "
            "minutes, then 220°C without steam for 25. I have to set it up by hand every time.\n\n"
            "Let us save **custom multi-stage programs** in the app and start them with one tap. "
            "Sharing them with other owners would be a great extra."
        ),
        "category": "feature-ideas",
        "kind": "idea",
        "author": "moderator@example.com",
        "status": "open",
        "status_note": None,
        "confidential": False,
        "age_days": 5,
        "voters": 6,
    },
    {
        "key": "kettle-presets",
        "title": "More temperature presets on the K2 kettle (70°C for green tea)",
        "body": (
            "The K2 only offers 80°C and 100°C presets. Green tea wants around 70°C, and baby "
            "formula needs even less. Could we get configurable presets?"
        ),
        "category": "feature-ideas",
        "kind": "improvement",
        "author": "chloe.nguyen@example.com",
        "status": "done",
        "status_note": (
            "Done in kettle firmware 1.6: the presets are now 40, 70, 80, 90 and 100°C, and you "
            "can change any of them in the app."
        ),
        "confidential": False,
        "age_days": 100,
        "voters": 8,
    },
    {
        "key": "public-api",
        "title": "Is there a public API for reading appliance status?",
        "body": (
            "I'd like to show the oven and dishwasher status on a small e-ink display in the "
            "hallway. Is there an official API? Something like:\n\n"
            "```\n"
            "GET /api/v1/appliances\n"
            "Authorization: Bearer <token>\n"
            "```\n\n"
            "Read-only would be totally fine for my use case."
        ),
        "category": "feature-ideas",
        "kind": "question",
        "author": "alice@example.com",
        "status": "planned",
        "status_note": (
            "Planned: a read-only REST API with personal access tokens is on the roadmap for later "
            "this year. Write access (starting appliances remotely) needs more safety work first."
        ),
        "confidential": False,
        "age_days": 58,
        "voters": 9,
    },
    {
        "key": "android-logout",
        "title": "Android app logs me out every few days",
        "body": (
            "For about a month the Android app (Pixel 7, app 4.2.0) has been asking me to log in "
            "again every two or three days. Entering a two-factor code each time makes this really "
            "annoying.\n\n"
            "Things I tried:\n\n"
            "- Clearing the app cache\n"
            "- Reinstalling\n"
            "- Turning off battery optimisation for the app\n\n"
            "None of it helped."
        ),
        "category": "mobile-app",
        "kind": "problem",
        "author": "ben.carter@example.com",
        "status": "in_progress",
        "status_note": (
            "In progress: the login token was not refreshed when Android restarted the app in the "
            "background. The fix is in app 4.2.1, rolling out to Android users gradually this week."
        ),
        "confidential": False,
        "age_days": 20,
        "voters": 12,
    },
    {
        "key": "home-widget",
        "title": "Home-screen widget showing which appliances are running",
        "body": (
            "A small widget listing the running appliances and their remaining time would save me "
            "opening the app twenty times while cooking dinner."
        ),
        "category": "mobile-app",
        "kind": "idea",
        "author": "alice@example.com",
        "status": "planned",
        "status_note": (
            "Planned for app 4.3 on both iOS and Android, together with smartwatch notifications."
        ),
        "confidential": False,
        "age_days": 55,
        "voters": 13,
    },
    {
        "key": "app-slow-start",
        "title": "App takes 10+ seconds to show device status on launch",
        "body": (
            "Every time I open the app I get spinners for 10–15 seconds before anything shows up. "
            "By then I could have walked to the kitchen and looked.\n\n"
            "iPhone 13, iOS 17, app 4.2.0, fast fibre connection, five appliances on the account. "
            "It was much faster a year ago, so this feels like a regression rather than my setup."
        ),
        "category": "mobile-app",
        "kind": "problem",
        "author": "george@example.com",
        "status": "under_review",
        "status_note": (
            "Under review: we can reproduce this on accounts with four or more appliances. The app "
            "loads devices one after another; we're looking at loading them in parallel and "
            "showing the last known state straight away."
        ),
        "confidential": False,
        "age_days": 14,
        "voters": 10,
    },
    {
        "key": "timer-screen-praise",
        "title": "The redesigned timer screen is so much clearer, thank you!",
        "body": (
            "Whoever redesigned the timer screen in 4.2: thank you. Big numbers, one card per "
            "timer, and I can finally tell at a glance which timer belongs to which appliance. "
            "More of this, please."
        ),
        "category": "mobile-app",
        "kind": "praise",
        "author": "fatima.khan@example.com",
        "status": "open",
        "status_note": None,
        "confidential": False,
        "age_days": 3,
        "voters": 5,
    },
    {
        "key": "tablet-layout",
        "title": "Tablet layout wastes half the screen",
        "body": (
            "On my iPad the app is just the phone layout in the middle with huge empty margins. "
            "The iPad lives on a stand in the kitchen, so a proper two-column layout (recipe on "
            "the left, appliance controls on the right) would be ideal."
        ),
        "category": "mobile-app",
        "kind": "improvement",
        "author": "diego@example.com",
        "status": "open",
        "status_note": None,
        "confidential": False,
        "age_days": 26,
        "voters": 3,
    },
    {
        "key": "filter-notification-twice",
        "title": "Why do I get the 'filter change' notification twice?",
        "body": (
            "My FrostLine told me to change the water filter, which is fine, but I got the same "
            "notification twice within a second. Is that intentional, like one from the fridge and "
            "one from the app?"
        ),
        "category": "mobile-app",
        "kind": "question",
        "author": "customer@example.com",
        "status": "duplicate",
        "status_note": (
            'Duplicate of "Every push notification arrives twice since app 4.1": same root cause, '
            "fixed in app 4.1.2."
        ),
        "confidential": False,
        "age_days": 44,
        "voters": 1,
    },
    {
        "key": "android-widget-dup",
        "title": "Android widget for the oven timer",
        "body": "Please add an Android home-screen widget that shows the oven timer.",
        "category": "mobile-app",
        "kind": "idea",
        "author": "diego@example.com",
        "status": "duplicate",
        "status_note": (
            'Duplicate of "Home-screen widget showing which appliances are running", which covers '
            "timers on Android too."
        ),
        "confidential": False,
        "age_days": 35,
        "voters": 1,
    },
    {
        "key": "double-push",
        "title": "Every push notification arrives twice since app 4.1",
        "body": (
            "Since updating to 4.1 every notification comes in twice: dishwasher done, oven "
            "preheated, filter reminders, everything. iPhone 14, iOS 17.4."
        ),
        "category": "bugs-and-problems",
        "kind": "problem",
        "author": "hannah.schmidt@example.com",
        "status": "done",
        "status_note": (
            "Fixed in app 4.1.2: after the update the app registered for notifications twice. If "
            "you still see duplicates, log out and back in once."
        ),
        "confidential": False,
        "age_days": 45,
        "voters": 11,
    },
    {
        "key": "recipe-import-tags",
        "title": "Recipe importer shows raw <br> and <b> tags in step text",
        "body": (
            "When I import a recipe from a website with **Add recipe › From link**, some steps "
            "show HTML tags literally, for example:\n\n"
            "```\n"
            "Preheat to 200°C.<br>Place the <b>tray</b> on level 2 & bake.\n"
            "```\n\n"
            "It happens with most recipes from food blogs. The oven still gets the right "
            "temperature, it just looks broken."
        ),
        "category": "bugs-and-problems",
        "kind": "problem",
        "author": "chloe.nguyen@example.com",
        "status": "planned",
        "status_note": (
            "Fix planned for app 4.2.2: the importer will turn basic HTML from recipe sites into "
            "plain text instead of showing the tags."
        ),
        "confidential": False,
        "age_days": 18,
        "voters": 7,
    },
    {
        "key": "fridge-door-alarm",
        "title": "FrostLine door alarm beeps even though the door is closed",
        "body": (
            "Several times a day the door-open alarm goes off while the door is **definitely "
            'closed**. The app then shows "Door open for 2 min" as well.\n\n'
            "Serial number starts with FL-2401, bought in February. It's driving the whole family "
            "mad, and the only way to stop it is switching the alarm off, which defeats the "
            "purpose."
        ),
        "category": "bugs-and-problems",
        "kind": "problem",
        "author": "customer@example.com",
        "status": "in_progress",
        "status_note": (
            "In progress: some FrostLine units built in January have a misaligned door sensor "
            "magnet. Customer Care is contacting affected owners for a free technician visit, and "
            "a firmware change to reduce false alarms ships next week."
        ),
        "confidential": False,
        "age_days": 9,
        "voters": 8,
    },
    {
        "key": "oven-5ghz",
        "title": "SmartOven S3 will not connect to 5 GHz Wi-Fi",
        "body": (
            "My router broadcasts one combined 2.4/5 GHz network and the oven refuses to join it. "
            "Setup ends with `Error W-12: network not found`, while my phone and laptop see the "
            "network fine.\n\n"
            "Is this a known limitation? The box says nothing about 2.4 GHz only."
        ),
        "category": "bugs-and-problems",
        "kind": "problem",
        "author": "diego@example.com",
        "status": "declined",
        "status_note": (
            "Not a bug: the S3's Wi-Fi module only supports 2.4 GHz. We agree this should have "
            "been obvious, so the setup screen, the manual and the box label now say so clearly."
        ),
        "confidential": False,
        "age_days": 70,
        "voters": 6,
    },
    {
        "key": "mesh-wifi-dup",
        "title": "Oven won't connect to my mesh Wi-Fi",
        "body": (
            "Setup fails with error W-12 on our mesh system. Tried three times, also right next to "
            "the router."
        ),
        "category": "bugs-and-problems",
        "kind": "problem",
        "author": "hannah.schmidt@example.com",
        "status": "duplicate",
        "status_note": (
            'Duplicate of "SmartOven S3 will not connect to 5 GHz Wi-Fi". The workaround in the '
            "comments there (a temporary 2.4 GHz-only network) works for mesh systems too."
        ),
        "confidential": False,
        "age_days": 66,
        "voters": 2,
    },
    {
        "key": "dishwasher-e24",
        "title": "DishPro shows error E24 after every eco cycle",
        "body": (
            "Since last week the DishPro 60 ends every **Eco 50°** cycle with error `E24` and some "
            "water left at the bottom. Other programs finish normally.\n\n"
            "I cleaned the filter and checked the drain hose for kinks. Anyone else seeing this?"
        ),
        "category": "bugs-and-problems",
        "kind": "problem",
        "author": "fatima.khan@example.com",
        "status": "open",
        "status_note": None,
        "confidential": False,
        "age_days": 2,
        "voters": 3,
    },
    {
        "key": "dst-schedule",
        "title": "Scheduled start ignores daylight saving time",
        "body": (
            "After the clocks changed, my dishwasher started at 2 am instead of 3 am. The app "
            "shows 3:00 but the appliance runs an hour early. It looks like the schedule is stored "
            "in UTC."
        ),
        "category": "bugs-and-problems",
        "kind": "problem",
        "author": "ben.carter@example.com",
        "status": "done",
        "status_note": (
            "Fixed in firmware 3.4 for the oven and dishwasher: schedules are now stored in your "
            "local time zone, so clock changes no longer shift them."
        ),
        "confidential": False,
        "age_days": 115,
        "voters": 9,
    },
    {
        "key": "probe-disconnects",
        "title": "Meat probe disconnects when the oven is above 230°C",
        "body": (
            "The probe loses its connection whenever I roast above about 230°C. The app shows "
            '"Probe disconnected" and the oven cancels the probe program. Below 220°C it\'s rock '
            "solid."
        ),
        "category": "bugs-and-problems",
        "kind": "problem",
        "author": "alice@example.com",
        "status": "under_review",
        "status_note": (
            "Under review with our Quality team: we're testing whether the cause is the probe "
            "battery or the antenna position in the oven cavity."
        ),
        "confidential": False,
        "age_days": 22,
        "voters": 5,
    },
    {
        "key": "beta-changelogs",
        "title": "Publish proper changelogs for beta firmware",
        "body": (
            "As beta testers we're asked to report problems, but the release notes just say \"bug "
            'fixes and improvements". Please tell us **what changed** so we know what to test. A '
            "simple list is enough."
        ),
        "category": "beta-program",
        "kind": "improvement",
        "author": "alice@example.com",
        "status": "done",
        "status_note": (
            "Done: every beta build now comes with release notes on the beta page, including known "
            "issues. Thanks for pushing us on this."
        ),
        "confidential": False,
        "age_days": 60,
        "voters": 10,
    },
    {
        "key": "airfryer-shake-reminder",
        "title": "AirCrisp beta: the shake reminder comes far too often",
        "body": (
            'In the AirCrisp beta the "shake the basket" reminder pops up every 3 minutes, even '
            "for frozen fries that need one shake at most. It beeps every time, too. Once or twice "
            "per program would be plenty."
        ),
        "category": "beta-program",
        "kind": "improvement",
        "author": "moderator@example.com",
        "status": "in_progress",
        "status_note": (
            "In progress: beta 5.1 reminds you at most twice per program and lets you switch the "
            "reminder off per recipe."
        ),
        "confidential": False,
        "age_days": 16,
        "voters": 7,
    },
    {
        "key": "beta-rollback",
        "title": "Can I roll back from beta firmware 5.0 to the stable release?",
        "body": (
            "I'd like to join the beta, but I cook for a family of five and can't afford a broken "
            "oven on a weekday. If things go wrong, can I go back to stable, and do I lose my "
            "saved programs?"
        ),
        "category": "beta-program",
        "kind": "question",
        "author": "ben.carter@example.com",
        "status": "done",
        "status_note": (
            'Answered: yes. Set Settings › Device › Firmware channel to "Stable"; the appliance '
            "installs the latest stable build the next night and keeps your saved programs."
        ),
        "confidential": False,
        "age_days": 38,
        "voters": 6,
    },
    {
        "key": "beta-steam-praise",
        "title": "Beta 5.0 steam bread mode is fantastic",
        "body": (
            "I've tried the new steam bread mode three times now. The crust is crackly, the crumb "
            "is open, and I didn't have to throw ice cubes onto a hot tray. A huge improvement "
            "over the stable firmware!"
        ),
        "category": "beta-program",
        "kind": "praise",
        "author": "diego@example.com",
        "status": "open",
        "status_note": None,
        "confidential": False,
        "age_days": 11,
        "voters": 8,
    },
    {
        "key": "beta-hub-freeze",
        "title": "ChefPad freezes when two timers end at the same second (beta 5.0.3)",
        "body": (
            "Steps to reproduce:\n\n"
            "1. Start a 10-minute timer on the ChefPad\n"
            "2. Start a 10-minute timer on the oven at the same moment\n"
            "3. Wait\n\n"
            "When both end, the ChefPad screen freezes and only unplugging it helps. Happened "
            "three times in a row."
        ),
        "category": "beta-program",
        "kind": "problem",
        "author": "customer@example.com",
        "status": "in_progress",
        "status_note": (
            "In progress: reproduced and fixed internally. The fix is in beta 5.0.4, which reaches "
            "beta testers in the next few days."
        ),
        "confidential": False,
        "age_days": 6,
        "voters": 4,
    },
    {
        "key": "beta-choose-devices",
        "title": "Let beta testers choose which appliances to enroll",
        "body": (
            "I'm happy to test beta firmware on the kettle and the dishwasher, but not on the "
            "fridge: if something goes wrong there, I lose food. Right now it's all or nothing."
        ),
        "category": "beta-program",
        "kind": "idea",
        "author": "fatima.khan@example.com",
        "status": "under_review",
        "status_note": (
            "Under review: technically possible, but we need enough testers per appliance. We're "
            "looking at per-device opt-in for the next beta round."
        ),
        "confidential": False,
        "age_days": 28,
        "voters": 9,
    },
    {
        "key": "auto-warranty-registration",
        "title": "Register the warranty automatically when I pair a device",
        "body": (
            "The app already knows the serial number and the day I set the appliance up. Why do I "
            "still have to fill in a separate warranty form on the website?"
        ),
        "category": "warranty-and-service",
        "kind": "idea",
        "author": "hannah.schmidt@example.com",
        "status": "planned",
        "status_note": (
            "Planned: pairing will pre-fill the warranty form with the serial number and date; "
            "you'll only confirm the purchase date and upload a receipt."
        ),
        "confidential": False,
        "age_days": 33,
        "voters": 11,
    },
    {
        "key": "service-praise",
        "title": "Shout-out to Customer Care for replacing my oven door in two days",
        "body": (
            "My oven door glass cracked (my own fault: a cold tray on hot glass). Customer Care "
            "arranged a paid replacement within two days, and the technician was friendly and "
            "cleaned up after himself. Credit where it's due."
        ),
        "category": "warranty-and-service",
        "kind": "praise",
        "author": "george@example.com",
        "status": "open",
        "status_note": None,
        "confidential": False,
        "age_days": 19,
        "voters": 6,
    },
    {
        "key": "gasket-warranty",
        "title": "Is the fridge door gasket covered by the 5-year warranty?",
        "body": (
            "Our FrostLine is 3 years old and the freezer door gasket is torn. The warranty says 5 "
            "years, but the website is unclear about which parts that covers."
        ),
        "category": "warranty-and-service",
        "kind": "question",
        "author": "chloe.nguyen@example.com",
        "status": "done",
        "status_note": (
            "Answered: door gaskets are wear parts and covered for 2 years; the sealed cooling "
            "system is covered for the full 5 years. The warranty page now lists wear parts "
            "explicitly."
        ),
        "confidential": False,
        "age_days": 52,
        "voters": 5,
    },
    {
        "key": "rural-repair-wait",
        "title": "Repair visits take three weeks outside big cities",
        "body": (
            "Our dishwasher broke down and the earliest technician slot was **22 days** away. We "
            "live 40 km from the nearest city, not on the moon. Three weeks of washing up by hand "
            "for a product that is still under warranty is not acceptable.\n\n"
            "Please either add service partners in rural areas or offer a loan appliance when the "
            "wait is longer than a week."
        ),
        "category": "warranty-and-service",
        "kind": "problem",
        "author": "customer@example.com",
        "status": "under_review",
        "status_note": (
            "Under review: we're in talks with two additional service partners for rural regions. "
            "Meanwhile Customer Care can ship replacement parts directly for simple fixes."
        ),
        "confidential": False,
        "age_days": 24,
        "voters": 12,
    },
    {
        "key": "spare-parts-in-app",
        "title": "Sell spare parts (filters, racks, probes) directly in the app",
        "body": (
            "I'd happily buy water filters and spare racks directly in the app. Right now I have "
            "to search the web shop for the right part number every time."
        ),
        "category": "warranty-and-service",
        "kind": "idea",
        "author": "ben.carter@example.com",
        "status": "declined",
        "status_note": (
            "Declined for now: spare parts stay available through authorised retailers and the "
            "Northwind web shop, where compatibility is checked. Instead, the filter reminder in "
            "the app now links straight to the right filter."
        ),
        "confidential": False,
        "age_days": 80,
        "voters": 8,
    },
    {
        "key": "extended-warranty",
        "title": "Option to buy an extended warranty after purchase",
        "body": (
            "It would be nice to extend the oven's warranty online during the first year, instead "
            "of only in the shop at the time of purchase."
        ),
        "category": "warranty-and-service",
        "kind": "idea",
        "author": "alice@example.com",
        "status": "open",
        "status_note": None,
        "confidential": False,
        "age_days": 1,
        "voters": 2,
    },
    {
        "key": "acme-forecast-horizon",
        "title": "Share a 12-week rolling forecast instead of 4 weeks",
        "body": (
            "Lead time for the heating-element alloy is now 9–10 weeks, but we only receive a "
            "4-week forecast from Northwind. This forces us to hold safety stock at our own risk "
            "or to expedite.\n\n"
            "Proposal:\n\n"
            "- Weekly **12-week rolling forecast** per part number\n"
            "- Weeks 1–4 firm, weeks 5–12 indicative (±20%)\n"
            "- Shared as CSV or via EDI `DELFOR`\n\n"
            "This would cut our expedite costs considerably, which we'd be happy to reflect in "
            "pricing."
        ),
        "category": "supply-chain",
        "kind": "improvement",
        "author": "supplier@acme.example.com",
        "status": "planned",
        "status_note": (
            "Planned: from next quarter we'll send a weekly 12-week rolling forecast per part "
            "number, weeks 1–4 firm and 5–12 indicative. CSV first, EDI DELFOR later."
        ),
        "confidential": True,
        "age_days": 50,
        "voters": 4,
    },
    {
        "key": "acme-alt-mcu",
        "title": "Approve an alternate microcontroller for the oven control board",
        "body": (
            "The MCU on control board CB-200 is on allocation again, with quoted lead times of 40+ "
            "weeks. A pin-compatible alternative from a second manufacturer is available to us for "
            "the next 18 months.\n\n"
            "What we need from Northwind:\n\n"
            "1. Confirmation from the firmware team that it can be supported\n"
            "2. A qualification plan and timeline\n"
            "3. A decision before the end of the month, so we can secure stock"
        ),
        "category": "supply-chain",
        "kind": "improvement",
        "author": "m.ortiz@acme.example.com",
        "status": "in_progress",
        "status_note": (
            "In progress: Engineering has samples of the alternate MCU and is porting the "
            "firmware. Qualification tests should finish in about six weeks."
        ),
        "confidential": True,
        "age_days": 27,
        "voters": 4,
    },
    {
        "key": "acme-copper-surcharge",
        "title": "Can we move to a quarterly price review linked to the copper index?",
        "body": (
            "Copper is about 30% of the cost of our heating elements, and its price has moved more "
            "than 15% since the annual price was agreed. Would Northwind consider a **quarterly "
            "review** tied to the LME copper index, in both directions?"
        ),
        "category": "supply-chain",
        "kind": "question",
        "author": "supplier@acme.example.com",
        "status": "declined",
        "status_note": (
            "Declined: we'll keep the annual price review in the frame agreement. We're open to a "
            "capped copper surcharge clause; Supply Chain will propose terms at the next quarterly "
            "business review."
        ),
        "confidential": True,
        "age_days": 62,
        "voters": 2,
    },
    {
        "key": "baltic-hs-codes",
        "title": "Commercial invoices for spare parts are missing HS codes",
        "body": (
            "Shipments of spare parts to the UK and Norway are being held at customs because the "
            "commercial invoices have no HS codes. Last week 6 shipments were delayed by 2–4 "
            "days.\n\n"
            "Affected part families: **filters, racks, door seals**. Finished appliances are fine."
        ),
        "category": "supply-chain",
        "kind": "problem",
        "author": "j.kalnins@baltic.example.com",
        "status": "in_progress",
        "status_note": (
            "In progress: HS codes are being added to all spare-part master data (about 70% done). "
            "Until then, Supply Chain sends codes manually for any shipment you flag."
        ),
        "confidential": True,
        "age_days": 13,
        "voters": 4,
    },
    {
        "key": "baltic-peak-capacity",
        "title": "Reserve extra truck capacity for the November peak now",
        "body": (
            "Truck capacity in the Benelux will be tight around Black Friday again. If Northwind "
            "can commit to volumes by September, we can reserve dedicated trucks at current rates "
            "instead of paying spot prices (last year spot was about 40% higher)."
        ),
        "category": "supply-chain",
        "kind": "improvement",
        "author": "l.ozola@baltic.example.com",
        "status": "under_review",
        "status_note": (
            "Under review: Supply Chain is finalising the peak forecast and expects to confirm "
            "volumes by the end of next month."
        ),
        "confidential": True,
        "age_days": 21,
        "voters": 3,
    },
    {
        "key": "edi-formats",
        "title": "Which EDI formats can you send and receive?",
        "body": (
            "We're replacing our ordering system next year and want to support what our suppliers "
            "already use. Please reply with:\n\n"
            "- Message types you support (ORDERS, DESADV, INVOIC, DELFOR, ...)\n"
            "- Standard and version (EDIFACT D96A, X12, something else)\n"
            "- Whether you connect through a VAN or AS2\n\n"
            "Thanks! Tomas, Supply Chain"
        ),
        "category": "supply-chain",
        "kind": "question",
        "author": "tomas.lindqvist@example.com",
        "status": "open",
        "status_note": None,
        "confidential": False,
        "age_days": 15,
        "voters": 4,
    },
    {
        "key": "faster-invoice-praise",
        "title": "Thank you for the much faster invoice approvals",
        "body": (
            "Since the new invoice workflow went live, our invoices are approved in 5 days instead "
            "of 20. That makes a real difference to our cash flow. Thank you to the Northwind "
            "finance and supply chain teams!"
        ),
        "category": "supply-chain",
        "kind": "praise",
        "author": "m.ortiz@acme.example.com",
        "status": "open",
        "status_note": None,
        "confidential": False,
        "age_days": 7,
        "voters": 5,
    },
    {
        "key": "poland-plant",
        "title": "Will the new assembly plant in Poland change delivery addresses?",
        "body": (
            "We heard Northwind is opening an assembly plant near Wrocław. Which parts will be "
            "delivered there instead of Tilburg, and from when?"
        ),
        "category": "supply-chain",
        "kind": "question",
        "author": "l.ozola@baltic.example.com",
        "status": "done",
        "status_note": (
            "Answered: from January, all FrostLine fridge parts go to the new plant in Wrocław; "
            "oven and small-appliance parts stay in Tilburg. Updated delivery instructions are in "
            "the supplier handbook."
        ),
        "confidential": False,
        "age_days": 88,
        "voters": 6,
    },
    {
        "key": "acme-element-tolerance",
        "title": "Resistance tolerance on the S3 heating element is tighter than the design needs",
        "body": (
            "Drawing HE-3021 rev C specifies **±2%** on resistance for the top heating element. At "
            "±2% our scrap rate is about 4%; at ±5% it would be under 0.5%.\n\n"
            "In our own simulation, ±5% changes the preheat time by less than 20 seconds. Could "
            "Northwind Quality review whether the tighter tolerance is really needed? We can share "
            "our test data."
        ),
        "category": "quality-and-specs",
        "kind": "improvement",
        "author": "s.berg@acme.example.com",
        "status": "under_review",
        "status_note": (
            "Under review by Quality: we're re-running thermal tests with elements at ±5% to "
            "confirm that preheat time and heat distribution stay within spec."
        ),
        "confidential": True,
        "age_days": 36,
        "voters": 3,
    },
    {
        "key": "drawing-revisions",
        "title": "Publish current drawing revisions for all suppliers in one place",
        "body": (
            "Drawing revisions currently arrive as email attachments from different people. Last "
            "month we produced a batch against rev B while rev C had been released two weeks "
            "earlier.\n\n"
            "A single place listing the **current released revision** per part number would "
            "prevent this for every supplier, not just us."
        ),
        "category": "quality-and-specs",
        "kind": "improvement",
        "author": "m.ortiz@acme.example.com",
        "status": "planned",
        "status_note": (
            "Planned: a drawings section in the supplier area of this portal, with the released "
            "revision per part number and a change history."
        ),
        "confidential": False,
        "age_days": 42,
        "voters": 6,
    },
    {
        "key": "thermostat-zero-defects",
        "title": "Zero defects on the last 40,000 oven thermostats",
        "body": (
            "A short shout-out: Acme Components has delivered more than 40,000 oven thermostats "
            "since January with **zero** defects found at incoming inspection or on the line.\n\n"
            "That's the level we'd love to see across all parts. Thank you, team Acme!"
        ),
        "category": "quality-and-specs",
        "kind": "praise",
        "author": "grace.mbeki@example.com",
        "status": "open",
        "status_note": None,
        "confidential": False,
        "age_days": 17,
        "voters": 5,
    },
    {
        "key": "acme-returnable-totes",
        "title": "Switch hinge shipments from cardboard to returnable totes",
        "body": (
            "We ship about 30 pallets of door hinges a month in single-use cardboard. Returnable "
            "plastic totes would cut packaging waste and reduce transport damage to the hinge "
            "coating. We already run a tote pool with another customer and could extend it."
        ),
        "category": "logistics",
        "kind": "improvement",
        "author": "s.berg@acme.example.com",
        "status": "done",
        "status_note": (
            "Done: returnable totes are used for all hinge part numbers since week 14, and empties "
            "go back on the weekly return run."
        ),
        "confidential": True,
        "age_days": 95,
        "voters": 3,
    },
    {
        "key": "dock-slot-booking",
        "title": "Online booking for dock slots at the Tilburg distribution centre",
        "body": (
            "Our drivers regularly wait 2–3 hours at the Tilburg DC because slots are arranged by "
            "phone and email. An online slot booking tool, even a simple one, would make waiting "
            "times predictable for every carrier and supplier delivering there."
        ),
        "category": "logistics",
        "kind": "improvement",
        "author": "j.kalnins@baltic.example.com",
        "status": "in_progress",
        "status_note": (
            "In progress: the dock booking tool goes live for inbound trucks next Monday as a "
            "pilot; outbound follows after the pilot."
        ),
        "confidential": False,
        "age_days": 57,
        "voters": 8,
    },
    {
        "key": "baltic-asn-timing",
        "title": "Send advance shipping notices 24 hours before pickup",
        "body": (
            "We currently receive the ASN when the truck is already being loaded. That's too late "
            "to plan the right truck size or to consolidate loads. Getting the ASN 24 hours before "
            "pickup would let us cut part-empty trucks by an estimated 10–15%."
        ),
        "category": "logistics",
        "kind": "improvement",
        "author": "l.ozola@baltic.example.com",
        "status": "planned",
        "status_note": (
            "Planned: the warehouse system will send ASNs at order release instead of at goods "
            "issue, usually 24–36 hours before pickup. Go-live is after the summer peak."
        ),
        "confidential": True,
        "age_days": 47,
        "voters": 3,
    },
    {
        "key": "baltic-sscc-labels",
        "title": "Move pallet labels to GS1-128 with SSCC",
        "body": (
            "Our scanners cannot read the current Northwind pallet labels, so we key in pallet IDs "
            "by hand at the cross-docks. Switching to standard **GS1-128 labels with an SSCC** "
            "would let us scan them and make fewer mistakes."
        ),
        "category": "logistics",
        "kind": "improvement",
        "author": "a.tamm@baltic.example.com",
        "status": "done",
        "status_note": (
            "Done: all outbound pallets from Tilburg carry GS1-128 labels with an SSCC since 1 "
            "April."
        ),
        "confidential": True,
        "age_days": 105,
        "voters": 2,
    },
    {
        "key": "baltic-damaged-returns",
        "title": "Returned ovens arrive with crushed outer boxes",
        "body": (
            "Customer returns of the SmartOven S3 often reach our returns hub in the original box "
            "with no extra protection. About one in five has a crushed corner, and we get blamed "
            "for the transport damage.\n\n"
            "Could Customer Care send customers a return packaging kit, or at least ask them to "
            "use corner protectors?"
        ),
        "category": "logistics",
        "kind": "problem",
        "author": "a.tamm@baltic.example.com",
        "status": "open",
        "status_note": None,
        "confidential": True,
        "age_days": 4,
        "voters": 2,
    },
    {
        "key": "electric-trucks",
        "title": "Pilot electric trucks on the Rotterdam port shuttle",
        "body": (
            "We now have two electric trucks that would suit the daily shuttle between Rotterdam "
            "port and Tilburg (about 90 km each way). Would Northwind be interested in a 3-month "
            "pilot? Thanks to current subsidies the cost would be close to diesel."
        ),
        "category": "logistics",
        "kind": "idea",
        "author": "a.tamm@baltic.example.com",
        "status": "open",
        "status_note": None,
        "confidential": False,
        "age_days": 10,
        "voters": 5,
    },
]

COMMENTS = [
    {
        "idea": "watch-preheat-alert",
        "author": "george@example.com",
        "body": "+1, and please include Garmin watches. Not everyone is on Apple or Wear OS.",
        "official": False,
        "replies": [
            {
                "author": "elena.rossi@example.com",
                "body": (
                    "@george Garmin is harder because notifications go through Garmin's own app, "
                    "but we'll check whether standard phone notification mirroring is enough. "
                    "Noted!"
                ),
            },
        ],
    },
    {
        "idea": "watch-preheat-alert",
        "author": "elena.rossi@example.com",
        "body": (
            "Thanks everyone for the votes: this is now **planned** for app 4.3.\n\n"
            "The first version covers:\n\n"
            "- preheat done\n"
            "- timer done\n"
            "- probe target reached, with an *Add 5 min* action\n\n"
            "We'll post here when the beta opens."
        ),
        "official": True,
        "replies": [
            {
                "author": "alice@example.com",
                "body": "That's exactly what I hoped for. Happy to test!",
            },
            {
                "author": "hannah.schmidt@example.com",
                "body": "Great. I posted a duplicate before finding this one, following here now.",
            },
        ],
    },
    {
        "idea": "watch-preheat-alert",
        "author": "fatima.khan@example.com",
        "body": "Would be nice if the watch could also show the remaining time as a complication.",
        "official": False,
        "replies": [],
    },
    {
        "idea": "household-sharing",
        "author": "fatima.khan@example.com",
        "body": (
            "Same situation here. We ended up creating a shared email address just for the "
            "appliances, which is silly."
        ),
        "official": False,
        "replies": [
            {
                "author": "ben.carter@example.com",
                "body": "Ha, we did exactly the same thing.",
            },
        ],
    },
    {
        "idea": "household-sharing",
        "author": "elena.rossi@example.com",
        "body": (
            "Quick update: household invites are in internal testing. The owner can invite up to 6 "
            "people and choose, per appliance, whether members may start heating remotely. Beta "
            "testers should get it in 3–4 weeks."
        ),
        "official": False,
        "replies": [
            {
                "author": "ben.carter@example.com",
                "body": "Great news. Will notifications be per person?",
            },
            {
                "author": "elena.rossi@example.com",
                "body": "@ben-carter Yes, each member has their own notification settings.",
            },
        ],
    },
    {
        "idea": "household-sharing",
        "author": "moderator@example.com",
        "body": (
            'Friendly reminder: please **vote** instead of posting "+1" comments, so the team can '
            "see the demand clearly. Thanks!"
        ),
        "official": False,
        "replies": [],
    },
    {
        "idea": "household-sharing",
        "author": "george@example.com",
        "body": (
            "Please make sure guests can be removed again easily. Our au pair left last year and "
            "we still had to change the password everywhere."
        ),
        "official": False,
        "replies": [],
    },
    {
        "idea": "energy-report",
        "author": "george@example.com",
        "body": (
            "Would love this. Please make the data exportable as CSV as well; I track everything "
            "in a spreadsheet."
        ),
        "official": False,
        "replies": [],
    },
    {
        "idea": "energy-report",
        "author": "elena.rossi@example.com",
        "body": (
            "Good guess about self-clean, @fatima-khan: a pyrolytic cycle uses roughly 4–5 kWh. "
            "We'd show program-level data wherever the appliance really measures it."
        ),
        "official": False,
        "replies": [
            {
                "author": "fatima.khan@example.com",
                "body": "Ouch, that's more than I expected. Even more reason to show it!",
            },
        ],
    },
    {
        "idea": "offline-local-control",
        "author": "alice@example.com",
        "body": "Same here. The outage was the first time I regretted buying a connected oven.",
        "official": False,
        "replies": [
            {
                "author": "chloe.nguyen@example.com",
                "body": "Agreed. Local control should have been there from day one.",
            },
        ],
    },
    {
        "idea": "offline-local-control",
        "author": "admin@example.com",
        "body": (
            "You're right, and we're sorry about March. The app should never need our servers to "
            "switch something off in your own kitchen.\n\n"
            "Local control is now **planned**: on your home network the app will talk to the S3 "
            "and the ChefPad directly for start/stop, timers and status. The full incident report "
            "is at [status.example.com](https://status.example.com/incidents/2024-03-14)."
        ),
        "official": True,
        "replies": [
            {
                "author": "george@example.com",
                "body": "Thanks for the honest answer. Looking forward to it.",
            },
            {
                "author": "diego@example.com",
                "body": "@admin Will this also cover the dishwasher and the fridge?",
            },
            {
                "author": "admin@example.com",
                "body": (
                    "@diego Dishwasher yes, in the second step. The fridge has no remote controls "
                    "that matter during an outage, so it's not first in line."
                ),
            },
        ],
    },
    {
        "idea": "offline-local-control",
        "author": "diego@example.com",
        "body": (
            "For what it's worth, the physical buttons on the oven keep working during an outage. "
            "Not ideal, but the oven itself is never out of control."
        ),
        "official": False,
        "replies": [
            {
                "author": "george@example.com",
                "body": "True, but I wasn't at home. That was the whole problem.",
            },
        ],
    },
    {
        "idea": "recipes-subscription",
        "author": "admin@example.com",
        "body": (
            "A clear answer: **every guided recipe available today stays free** on all appliances, "
            "for the lifetime of the appliance.\n\n"
            "We may offer optional paid extras in the future (for example, courses by guest "
            "chefs), but nothing you have now will move behind a paywall."
        ),
        "official": True,
        "replies": [
            {
                "author": "customer@example.com",
                "body": "Thank you, that's what I needed to hear.",
            },
            {
                "author": "ben.carter@example.com",
                "body": "Please put that promise in writing on the website too.",
            },
        ],
    },
    {
        "idea": "recipes-subscription",
        "author": "hannah.schmidt@example.com",
        "body": '"Optional paid extras" is how it always starts... I\'ll keep an eye on this.',
        "official": False,
        "replies": [
            {
                "author": "moderator@example.com",
                "body": (
                    "A fair concern. Let's keep it constructive: the team has been clear here, and "
                    "this thread will hold them to it."
                ),
            },
        ],
    },
    {
        "idea": "probe-praise",
        "author": "alice@example.com",
        "body": "Agreed, the rest reminder saved our Christmas turkey.",
        "official": False,
        "replies": [],
    },
    {
        "idea": "probe-praise",
        "author": "elena.rossi@example.com",
        "body": (
            "Thanks @diego! Renaming probe profiles is a small change; it's on our backlog now."
        ),
        "official": False,
        "replies": [
            {
                "author": "diego@example.com",
                "body": "Brilliant, thank you.",
            },
        ],
    },
    {
        "idea": "fridge-camera",
        "author": "fatima.khan@example.com",
        "body": (
            "Honestly I'm glad this was declined. A camera in my fridge sending pictures to the "
            "cloud is not something I want."
        ),
        "official": False,
        "replies": [
            {
                "author": "customer@example.com",
                "body": "Fair point. It would have to be optional, of course.",
            },
            {
                "author": "george@example.com",
                "body": (
                    "A shopping list that syncs with the fridge door display would solve 80% of "
                    "this without a camera."
                ),
            },
        ],
    },
    {
        "idea": "matter-home-assistant",
        "author": "alice@example.com",
        "body": (
            "The community integration broke again last week after the app update. An official "
            "local API would save everyone a lot of pain."
        ),
        "official": False,
        "replies": [],
    },
    {
        "idea": "matter-home-assistant",
        "author": "chloe.nguyen@example.com",
        "body": (
            "Matter support would be the main reason for me to buy another Northwind appliance."
        ),
        "official": False,
        "replies": [],
    },
    {
        "idea": "matter-home-assistant",
        "author": "elena.rossi@example.com",
        "body": (
            "An honest status update: the Wi-Fi module in current appliances can't run Matter "
            "itself. We're evaluating whether the ChefPad hub can act as a Matter **bridge** for "
            "existing appliances. We won't promise a date until we know it works reliably."
        ),
        "official": True,
        "replies": [
            {
                "author": "george@example.com",
                "body": "Appreciate the honesty. A bridge via the ChefPad would be fine by me.",
            },
            {
                "author": "diego@example.com",
                "body": (
                    "I don't own a ChefPad, so that wouldn't help me. Please also consider a local "
                    "API on the appliances themselves."
                ),
            },
        ],
    },
    {
        "idea": "custom-programs",
        "author": "diego@example.com",
        "body": "Yes! Sourdough people unite. Sharing programs would be amazing.",
        "official": False,
        "replies": [
            {
                "author": "moderator@example.com",
                "body": "@diego Happy to share my program with you once this exists.",
            },
        ],
    },
    {
        "idea": "custom-programs",
        "author": "staff@example.com",
        "body": (
            "Tip until this exists: if you start a multi-stage setup from a recipe, you can save "
            "it as a favourite from the recipe screen. Not perfect, but it helps."
        ),
        "official": False,
        "replies": [],
    },
    {
        "idea": "public-api",
        "author": "george@example.com",
        "body": "Please include the probe temperature in the API.",
        "official": False,
        "replies": [],
    },
    {
        "idea": "public-api",
        "author": "elena.rossi@example.com",
        "body": (
            "The read-only API will have personal access tokens, the appliance list, status, "
            "remaining time and probe temperature. We'll publish the docs before release so you "
            "can give feedback."
        ),
        "official": False,
        "replies": [
            {
                "author": "alice@example.com",
                "body": "Perfect. I hope the rate limits allow polling once a minute?",
            },
            {
                "author": "elena.rossi@example.com",
                "body": "@alice Once a minute is fine.",
            },
        ],
    },
    {
        "idea": "android-logout",
        "author": "hannah.schmidt@example.com",
        "body": "Same on a Samsung S23. For me it's every single day.",
        "official": False,
        "replies": [],
    },
    {
        "idea": "android-logout",
        "author": "staff@example.com",
        "body": (
            "Thanks for the details, @ben-carter. We found the cause: the login token isn't "
            "refreshed correctly when Android restarts the app in the background.\n\n"
            "The fix is in **4.2.1**, rolling out gradually this week. If you're in the Play Store "
            "beta you can get it today."
        ),
        "official": True,
        "replies": [
            {
                "author": "ben.carter@example.com",
                "body": "Installed the beta: no logout for four days so far.",
            },
        ],
    },
    {
        "idea": "android-logout",
        "author": "george@example.com",
        "body": (
            'And why does it need 2FA every time? "Remember this device" should actually remember '
            "the device."
        ),
        "official": False,
        "replies": [],
    },
    {
        "idea": "home-widget",
        "author": "fatima.khan@example.com",
        "body": "Please make it resizable. A small one for a single timer would be great.",
        "official": False,
        "replies": [],
    },
    {
        "idea": "home-widget",
        "author": "diego@example.com",
        "body": "Glad mine was merged here. Android please, not just iOS!",
        "official": False,
        "replies": [
            {
                "author": "elena.rossi@example.com",
                "body": "@diego Both platforms at the same time, promise.",
            },
        ],
    },
    {
        "idea": "app-slow-start",
        "author": "alice@example.com",
        "body": "Same here with 4 appliances, around 8 seconds.",
        "official": False,
        "replies": [],
    },
    {
        "idea": "app-slow-start",
        "author": "chloe.nguyen@example.com",
        "body": (
            "Only 2 appliances here and it's fast, so it really does seem to grow with the number "
            "of devices."
        ),
        "official": False,
        "replies": [],
    },
    {
        "idea": "app-slow-start",
        "author": "staff@example.com",
        "body": (
            "We can reproduce this: with four or more appliances the app loads the devices one by "
            "one. The Product team is reviewing a change to load them in parallel and show the "
            "last known status immediately."
        ),
        "official": False,
        "replies": [
            {
                "author": "george@example.com",
                "body": (
                    "Thanks. Just showing the last known status would already be a big improvement."
                ),
            },
        ],
    },
    {
        "idea": "double-push",
        "author": "customer@example.com",
        "body": "Same here, also on Android.",
        "official": False,
        "replies": [],
    },
    {
        "idea": "double-push",
        "author": "staff@example.com",
        "body": (
            "Fixed in app 4.1.2: after the update the app registered for notifications twice. If "
            "you still get duplicates, log out and back in once."
        ),
        "official": False,
        "replies": [
            {
                "author": "hannah.schmidt@example.com",
                "body": "Confirmed fixed, thanks!",
            },
        ],
    },
    {
        "idea": "recipe-import-tags",
        "author": "diego@example.com",
        "body": "It also shows `&amp;` instead of `&` in ingredient lists.",
        "official": False,
        "replies": [],
    },
    {
        "idea": "recipe-import-tags",
        "author": "elena.rossi@example.com",
        "body": (
            "Thanks for the example, @chloe-nguyen, it made this easy to reproduce. The fix is "
            "planned for 4.2.2."
        ),
        "official": False,
        "replies": [
            {
                "author": "chloe.nguyen@example.com",
                "body": "Great, thank you!",
            },
        ],
    },
    {
        "idea": "fridge-door-alarm",
        "author": "ben.carter@example.com",
        "body": "Ours is an FL-2401 too. Same issue.",
        "official": False,
        "replies": [
            {
                "author": "customer@example.com",
                "body": "Good to know it's not just us.",
            },
        ],
    },
    {
        "idea": "fridge-door-alarm",
        "author": "staff@example.com",
        "body": (
            "We've confirmed a misaligned sensor magnet on some FrostLine units built in January "
            "(serial numbers starting **FL-2401**). Customer Care will contact affected owners for "
            "a free technician visit.\n\n"
            "If you haven't heard from us within a week, reply here or call support."
        ),
        "official": True,
        "replies": [
            {
                "author": "customer@example.com",
                "body": "Thanks Sam, the technician is booked for Thursday.",
            },
        ],
    },
    {
        "idea": "fridge-door-alarm",
        "author": "grace.mbeki@example.com",
        "body": (
            "From the Quality side: we've added a magnet alignment check at the end of the "
            "assembly line, so new units are not affected."
        ),
        "official": False,
        "replies": [],
    },
    {
        "idea": "oven-5ghz",
        "author": "george@example.com",
        "body": (
            "Workaround: most routers let you create a temporary 2.4 GHz-only network. Set the "
            "oven up on that, and it stays connected after you switch back."
        ),
        "official": False,
        "replies": [
            {
                "author": "diego@example.com",
                "body": "That worked, thanks!",
            },
            {
                "author": "hannah.schmidt@example.com",
                "body": (
                    "Worked for my mesh system too: I disabled 5 GHz in the router app for a few "
                    "minutes."
                ),
            },
        ],
    },
    {
        "idea": "oven-5ghz",
        "author": "diego@example.com",
        "body": (
            'I understand it\'s a hardware limit, but "Declined" feels harsh. At least print it '
            "on the box!"
        ),
        "official": False,
        "replies": [
            {
                "author": "staff@example.com",
                "body": (
                    "Fair criticism, @diego. The box and the setup screen now mention 2.4 GHz; "
                    "stock from May onwards carries the new label."
                ),
            },
        ],
    },
    {
        "idea": "dishwasher-e24",
        "author": "staff@example.com",
        "body": (
            "E24 means draining didn't finish in time. Could you check that the drain pump cover "
            "(under the filter) turns freely? If it does, please book a service check under "
            "warranty."
        ),
        "official": False,
        "replies": [
            {
                "author": "fatima.khan@example.com",
                "body": "There was a cherry stone stuck in it! Working again, thank you.",
            },
        ],
    },
    {
        "idea": "dishwasher-e24",
        "author": "ben.carter@example.com",
        "body": (
            "I get E24 on my DishPro after eco cycles too, but no stone. I'll book the service "
            "check."
        ),
        "official": False,
        "replies": [],
    },
    {
        "idea": "probe-disconnects",
        "author": "grace.mbeki@example.com",
        "body": (
            "Thanks @alice. Which shelf and probe position did you use, and was the probe battery "
            "full? We're testing at 240°C in the lab."
        ),
        "official": False,
        "replies": [
            {
                "author": "alice@example.com",
                "body": "Centre of a whole chicken, second shelf, battery full.",
            },
            {
                "author": "grace.mbeki@example.com",
                "body": "Thanks, that helps. We'll update here.",
            },
        ],
    },
    {
        "idea": "probe-disconnects",
        "author": "george@example.com",
        "body": "Same at 250°C for pizza, though I know that's not a roast.",
        "official": False,
        "replies": [],
    },
    {
        "idea": "beta-changelogs",
        "author": "ben.carter@example.com",
        "body": (
            "Yes please. I spent an evening testing the grill only to find out nothing had changed."
        ),
        "official": False,
        "replies": [],
    },
    {
        "idea": "beta-changelogs",
        "author": "elena.rossi@example.com",
        "body": (
            "Every beta build now has release notes on the beta page, including **known issues**. "
            "Thanks for pushing us on this."
        ),
        "official": False,
        "replies": [
            {
                "author": "alice@example.com",
                "body": "Much better, thanks!",
            },
        ],
    },
    {
        "idea": "airfryer-shake-reminder",
        "author": "diego@example.com",
        "body": "Agreed, and the beep is loud. A silent option, please.",
        "official": False,
        "replies": [],
    },
    {
        "idea": "airfryer-shake-reminder",
        "author": "elena.rossi@example.com",
        "body": (
            "Beta 5.1 limits the reminder to twice per program, and you can switch it off per "
            "recipe. Thanks @moderator for the clear report."
        ),
        "official": False,
        "replies": [],
    },
    {
        "idea": "beta-steam-praise",
        "author": "moderator@example.com",
        "body": "Agreed, best firmware feature this year.",
        "official": False,
        "replies": [],
    },
    {
        "idea": "beta-steam-praise",
        "author": "hannah.schmidt@example.com",
        "body": "What settings do you use? My bread came out pale.",
        "official": False,
        "replies": [
            {
                "author": "diego@example.com",
                "body": (
                    "@hannah-schmidt 250°C with high steam for the first 15 min, then 220°C dry. "
                    "And preheat the baking stone for 45 min."
                ),
            },
        ],
    },
    {
        "idea": "gasket-warranty",
        "author": "staff@example.com",
        "body": (
            "Door gaskets are wear parts and covered for 2 years; the sealed cooling system is "
            "covered for 5 years. We've updated the warranty page to list wear parts clearly, and "
            "replacement gaskets are in the web shop."
        ),
        "official": True,
        "replies": [
            {
                "author": "chloe.nguyen@example.com",
                "body": "Thanks for the clear answer, even if it's not the one I hoped for.",
            },
        ],
    },
    {
        "idea": "rural-repair-wait",
        "author": "hannah.schmidt@example.com",
        "body": "Same in our area: 18 days for a fridge. For a fridge that's really not OK.",
        "official": False,
        "replies": [],
    },
    {
        "idea": "rural-repair-wait",
        "author": "admin@example.com",
        "body": (
            "This isn't the service level we want to offer. We're in talks with two more service "
            "partners for rural regions.\n\n"
            "In the meantime:\n\n"
            "- Customer Care can ship replacement parts directly for simple repairs\n"
            "- If a fridge is out of order for more than 5 days, we arrange a loan unit"
        ),
        "official": True,
        "replies": [
            {
                "author": "customer@example.com",
                "body": (
                    "A loan unit would have saved us a lot of trouble. Please make that policy "
                    "visible on the website."
                ),
            },
            {
                "author": "moderator@example.com",
                "body": "Thanks @admin. Could you post here once the new partners are confirmed?",
            },
        ],
    },
    {
        "idea": "acme-forecast-horizon",
        "author": "tomas.lindqvist@example.com",
        "body": (
            "We agree this is overdue. From next quarter you'll get a weekly 12-week forecast: "
            "weeks 1–4 firm, 5–12 indicative. CSV first, EDI DELFOR later this year."
        ),
        "official": True,
        "replies": [
            {
                "author": "supplier@acme.example.com",
                "body": "That's great, thank you. CSV is fine to start with.",
            },
        ],
    },
    {
        "idea": "acme-forecast-horizon",
        "author": "s.berg@acme.example.com",
        "body": (
            "Adding to this: for the hinge castings, a 12-week view would help our foundry "
            "planning as well."
        ),
        "official": False,
        "replies": [],
    },
    {
        "idea": "acme-element-tolerance",
        "author": "grace.mbeki@example.com",
        "body": (
            "Thanks @s-berg. Please upload your simulation data and send a few samples at ±4–5%; "
            "we'll run them through our thermal test rig."
        ),
        "official": False,
        "replies": [
            {
                "author": "s.berg@acme.example.com",
                "body": "Samples ship on Friday; the data is in the shared supplier folder.",
            },
        ],
    },
    {
        "idea": "acme-element-tolerance",
        "author": "m.ortiz@acme.example.com",
        "body": (
            "For context: the scrap at ±2% is also why lead times on HE-3021 are longer than for "
            "the other elements."
        ),
        "official": False,
        "replies": [],
    },
    {
        "idea": "acme-alt-mcu",
        "author": "tomas.lindqvist@example.com",
        "body": (
            "Engineering has the samples. The firmware port looks straightforward so far; "
            "qualification will take about six weeks."
        ),
        "official": False,
        "replies": [],
    },
    {
        "idea": "acme-alt-mcu",
        "author": "supplier@acme.example.com",
        "body": (
            "We can hold 20,000 units of the alternate MCU for Northwind until the end of next "
            "month."
        ),
        "official": False,
        "replies": [
            {
                "author": "tomas.lindqvist@example.com",
                "body": "Thanks @supplier, please do. We'll confirm in writing.",
            },
        ],
    },
    {
        "idea": "acme-copper-surcharge",
        "author": "tomas.lindqvist@example.com",
        "body": (
            "We won't change the annual review, but we're open to a copper surcharge with a cap. "
            "We'll bring a proposal to the QBR."
        ),
        "official": False,
        "replies": [
            {
                "author": "supplier@acme.example.com",
                "body": "Understood. A cap works for us if it applies in both directions.",
            },
        ],
    },
    {
        "idea": "baltic-asn-timing",
        "author": "tomas.lindqvist@example.com",
        "body": (
            "We'll change the ASN trigger after the summer peak; until then the warehouse team "
            "can't take on system changes."
        ),
        "official": False,
        "replies": [],
    },
    {
        "idea": "baltic-asn-timing",
        "author": "a.tamm@baltic.example.com",
        "body": "Until then, could the warehouse at least email the pick list the evening before?",
        "official": False,
        "replies": [
            {
                "author": "tomas.lindqvist@example.com",
                "body": "@a-tamm Yes, we'll set that up from next week.",
            },
        ],
    },
    {
        "idea": "baltic-hs-codes",
        "author": "tomas.lindqvist@example.com",
        "body": (
            "Sorry for the delays. HS codes are being added to all spare parts, about 70% done. "
            "Flag urgent shipments to me directly."
        ),
        "official": False,
        "replies": [],
    },
    {
        "idea": "baltic-hs-codes",
        "author": "l.ozola@baltic.example.com",
        "body": (
            "Norway is the worst: customs holds those shipments every time. Can we prioritise "
            "filters and door seals?"
        ),
        "official": False,
        "replies": [
            {
                "author": "tomas.lindqvist@example.com",
                "body": "@l-ozola Done, those are next.",
            },
        ],
    },
    {
        "idea": "baltic-peak-capacity",
        "author": "admin@example.com",
        "body": (
            "Thanks, this is helpful. Please send a rate proposal for both the dedicated and the "
            "spot option."
        ),
        "official": False,
        "replies": [
            {
                "author": "l.ozola@baltic.example.com",
                "body": "Sent to Tomas this morning.",
            },
        ],
    },
    {
        "idea": "baltic-damaged-returns",
        "author": "j.kalnins@baltic.example.com",
        "body": (
            "Photos from last week are in the shared folder: 14 of 60 returns had crushed corners."
        ),
        "official": False,
        "replies": [],
    },
    {
        "idea": "baltic-damaged-returns",
        "author": "staff@example.com",
        "body": (
            "We'll include corner protectors in return kits from next month and update the return "
            "instructions for customers."
        ),
        "official": False,
        "replies": [
            {
                "author": "a.tamm@baltic.example.com",
                "body": "Thank you, that should help a lot.",
            },
        ],
    },
    {
        "idea": "edi-formats",
        "author": "s.berg@acme.example.com",
        "body": (
            "Acme uses EDIFACT D96A over AS2: ORDERS, ORDRSP, DESADV and INVOIC. DELFOR would be "
            "new for us, but we want it (see our forecast request)."
        ),
        "official": False,
        "replies": [],
    },
    {
        "idea": "edi-formats",
        "author": "j.kalnins@baltic.example.com",
        "body": (
            "Baltic Logistics: IFTMIN and IFTSTA for transport orders and status, through our VAN. "
            "We also offer a REST API if that's easier."
        ),
        "official": False,
        "replies": [
            {
                "author": "tomas.lindqvist@example.com",
                "body": (
                    "Thanks @j-kalnins, a REST API for status updates would be very interesting "
                    "for us."
                ),
            },
        ],
    },
    {
        "idea": "poland-plant",
        "author": "tomas.lindqvist@example.com",
        "body": (
            "From January, all FrostLine fridge parts go to the new plant in Wrocław. Oven and "
            "small-appliance parts stay in Tilburg. Updated delivery instructions are in section 4 "
            "of the supplier handbook."
        ),
        "official": True,
        "replies": [
            {
                "author": "l.ozola@baltic.example.com",
                "body": "Thanks. Will the dock booking tool cover Wrocław as well?",
            },
            {
                "author": "tomas.lindqvist@example.com",
                "body": "@l-ozola Yes, Wrocław will be in the booking tool from day one.",
            },
        ],
    },
    {
        "idea": "poland-plant",
        "author": "s.berg@acme.example.com",
        "body": "Do the hinges for FrostLine doors move to Wrocław too?",
        "official": False,
        "replies": [
            {
                "author": "tomas.lindqvist@example.com",
                "body": "@s-berg Yes, FrostLine hinges move; oven door hinges stay in Tilburg.",
            },
        ],
    },
    {
        "idea": "dock-slot-booking",
        "author": "supplier@acme.example.com",
        "body": (
            "Very welcome from Acme's side too: our trucks lost 11 hours at the Tilburg dock last "
            "month."
        ),
        "official": False,
        "replies": [],
    },
    {
        "idea": "dock-slot-booking",
        "author": "tomas.lindqvist@example.com",
        "body": (
            "The pilot starts on Monday for inbound trucks. You'll receive login details by email; "
            "please share feedback in this thread."
        ),
        "official": False,
        "replies": [
            {
                "author": "j.kalnins@baltic.example.com",
                "body": "Got the invite, thanks. First bookings done for Tuesday.",
            },
        ],
    },
    {
        "idea": "drawing-revisions",
        "author": "grace.mbeki@example.com",
        "body": (
            "Good point. We'll add a current-revision list per part number to the supplier area. "
            "Until then, ask me directly if in doubt."
        ),
        "official": False,
        "replies": [],
    },
    {
        "idea": "drawing-revisions",
        "author": "supplier@acme.example.com",
        "body": (
            "A change history with the reason for each revision would help our engineers a lot."
        ),
        "official": False,
        "replies": [
            {
                "author": "grace.mbeki@example.com",
                "body": "@supplier Agreed, we'll include the reason for each change.",
            },
        ],
    },
    {
        "idea": "electric-trucks",
        "author": "tomas.lindqvist@example.com",
        "body": "Interesting! Please send us a short proposal with costs and charging times.",
        "official": False,
        "replies": [],
    },
    {
        "idea": "electric-trucks",
        "author": "m.ortiz@acme.example.com",
        "body": (
            "If this works out, we'd be interested in the same for deliveries from our Eindhoven "
            "plant."
        ),
        "official": False,
        "replies": [
            {
                "author": "a.tamm@baltic.example.com",
                "body": "@m-ortiz Happy to talk, let's set up a call.",
            },
        ],
    },
]


# Intake and routing (SPEC 12, 13): how each team hands out work and what it promises.
BERLIN_OFFICE = {"timezone": "Europe/Berlin", "days": [0, 1, 2, 3, 4], "start": "09:00",
                 "end": "17:00"}  # fmt: skip
TEAM_SETTINGS = {
    "Product": {"assignment": "round_robin", "answer_target_hours": 24,
                "business_hours": BERLIN_OFFICE},
    "Customer Care": {"assignment": "least_loaded", "answer_target_hours": 8,
                      "business_hours": {"timezone": "Europe/Berlin", "days": [0, 1, 2, 3, 4, 5],
                                         "start": "08:00", "end": "20:00"}},
    "Supply Chain": {"assignment": "queue", "answer_target_hours": 40,
                     "business_hours": BERLIN_OFFICE},
    "Quality": {"assignment": "round_robin", "answer_target_hours": 16,
                "business_hours": BERLIN_OFFICE},
}  # fmt: skip

ROUTING_RULES = [
    {"name": "Defects reported by suppliers go to Quality", "team": "Quality",
     "conditions": {"author_kind": "supplier",
                    "words": ["defect", "defects", "recall", "tolerance"]}},
    {"name": "Invoices and refunds go to Customer Care", "team": "Customer Care",
     "conditions": {"words": ["invoice", "refund", "billing", "warranty"]}},
    {"name": "Widget feedback goes to Product", "team": "Product",
     "conditions": {"source": "widget"}},
]  # fmt: skip

# Conversations from outside the portal. `hours_ago` is when it arrived; `then` what staff did.
INTAKE_MESSAGES = [
    {"source": "email", "from": "olivia.price@example.net", "name": "Olivia Price",
     "subject": "Refund for a cracked oven door", "hours_ago": 30,
     "body": "My oven door glass cracked after two weeks. I sent photos to support but I "
             "would like to know how the refund works.\n\nThanks,\nOlivia"},
    {"source": "email", "from": "customer@example.com", "name": "Chris Doyle",
     "subject": "Preheat alert on the watch", "hours_ago": 50, "then": "attach",
     "idea": "watch-preheat-alert",
     "body": "I keep missing the preheat beep when I am in the garden. A notification on my "
             "watch would be great."},
    {"source": "api", "from": "ravi.menon@example.org", "name": "Ravi Menon",
     "subject": "Zendesk #48213: app forgets the oven after an update", "hours_ago": 6,
     "ref": "zendesk-48213",
     "body": "After updating the app to 4.2 the oven disappears from the device list and has "
             "to be paired again. Happened twice this month."},
    {"source": "api", "from": "sofia.ricci@example.it", "name": "Sofia Ricci",
     "subject": "Zendesk #48190: invoice shows the wrong VAT", "hours_ago": 20,
     "ref": "zendesk-48190",
     "body": "The invoice for my Northwind Combi shows 19% VAT although I ordered to Italy."},
    {"source": "widget", "from": "noah.b@example.com", "name": "",
     "subject": "Feedback on https://shop.northwind.example/checkout", "hours_ago": 3,
     "body": "The checkout forgets my delivery address when I go back a step."},
    {"source": "widget", "from": "hannah.schmidt@example.com", "name": "Hannah Schmidt",
     "subject": "Feedback on https://shop.northwind.example/recipes", "hours_ago": 75,
     "then": "convert", "title": "Filter recipes by the appliance I own",
     "category": "feature-ideas",
     "body": "Please let me filter the recipes by the appliance I have; half of them need "
             "a steamer I do not own."},
    {"source": "email", "from": "s.berg@acme.example.com", "name": "Sven Berg",
     "subject": "Defect rate on hinge batch 2026-44", "hours_ago": 80,
     "body": "We measured a defect rate above tolerance on hinge batch 2026-44 and are "
             "holding the shipment. Please advise."},
    {"source": "email", "from": "promo@deals.example", "name": "Deals",
     "subject": "Boost your sales 300%", "hours_ago": 12, "then": "dismiss",
     "reason": "Advertising",
     "body": "Limited offer: buy followers and reviews today."},
]  # fmt: skip
