## Service catalogue: needs, reasons, cards, browsing.

need-pregnancy-baby = pregnancy and a new baby
need-child-health = the child's health
need-parenting-support = support in parenting
need-early-education = daycare and early education
need-leisure-art = activities and art for children
need-money-benefits = money and benefits
need-home-help = help at home
need-peer-support = meeting other families
need-integration-language = Finnish language and settling in
need-relationship-separation = relationship and separation
need-mental-health = mental wellbeing
need-crisis-urgent = urgent help

reason-needs = what you asked about: { $needs }
# A name quoted inside a sentence or list (need names in the needs reason).
quoted = “{ $text }”
reason-local = in { $municipality }
reason-regional = serves { $municipality }
reason-nationwide = available everywhere in Finland
reason-ages = for children aged { $min }–{ $max }
reason-expecting = for expecting families
reason-child-age = for children aged { $age }
reason-around-the-clock = answers around the clock
reason-call = you can call them
reason-chat = you can chat with them online
reason-free = free of charge
reason-language = in { $language }
reason-interpreter = an interpreter can be arranged
reason-walk-in = you can just walk in

access-walk-in = just walk in
access-call = call
access-chat = chat online
access-book-online = book online
access-apply-online = apply online
access-referral = with a referral

card-why = Why this fits you:
card-how = How to get it: { $how }
card-how-page = How to get it: the contact details are on the organiser's website (below)
card-cost-free = Cost: free
card-cost-fee = Cost: there is a fee
card-cost-income-based = Cost: depends on your income
card-languages = Languages: { $languages }
card-interpreter = An interpreter can be arranged.
card-address = Address: { $place }, { $address }
card-place = Place: { $place }, { $town }
card-place-named = Place: { $place }
card-hours-today = Open today: { $hours }
card-closed-today = Closed today
card-phone = Phone: { $phone }
card-phone-always = The phone line answers around the clock.
card-phone-today = The phone line answers today: { $hours }
card-phone-closed-today = The phone line is closed today.
card-chat = Chat: { $url }
card-chat-always = The chat is open around the clock.
card-chat-today = The chat is open today: { $hours }
card-chat-closed-today = The chat is closed today.
card-email = Email: { $email }
card-website = Website: { $url }
card-untranslated = This text is not yet available in English; it is shown in another language.
card-location = 📍 Show on map
card-flag = ⚠️ Something wrong?
card-flag-ask = What is wrong with this information?
card-flag-closed = The service has closed
card-flag-phone = Wrong phone number
card-flag-hours = Wrong opening hours
card-flag-other = Something else
card-flag-thanks = Thank you! We will check it. Your report is anonymous.

language-name-fi = Finnish
language-name-sv = Swedish
language-name-en = English
language-name-ar = Arabic
language-name-ru = Russian
language-name-so = Somali
language-name-fa = Persian
language-name-uk = Ukrainian
language-name-et = Estonian
language-name-ku = Kurdish
language-name-tr = Turkish
language-name-vi = Vietnamese
language-name-th = Thai
language-name-zh = Chinese
language-name-es = Spanish
language-name-de = German
language-name-fr = French

category-health = Health and child health clinics
category-early-education = Daycare and early education
category-family-support = Support for families
category-leisure = Culture, art and free time
category-peer = Peer groups and volunteers
category-money = Money and benefits
category-integration = Finnish language and settling in
category-crisis = Crisis and safety

menu-services = 📚 Browse all services
services-choose-municipality = Where do you live? Choose your municipality.
services-all-municipalities = 🇫🇮 Anywhere in Finland
services-choose-category = What kind of service are you looking for?
services-found = { $count ->
    [one] One service:
   *[other] { $count } services:
}
services-none = No services found here yet. Try another category or "Anywhere in Finland".
services-more = More ▶
services-previous = ◀ Back
services-change-municipality = 📍 Change municipality
services-change-category = 🗂 Other categories
services-unknown = Sorry, I could not find that service any more. Here is the list again.

match-none =
    I found no service that fits all your answers. These can help anyone:
    • your family centre or maternity and child health clinic (neuvola),
    • the crisis helpline (MIELI), any time: 09 2525 0111,
    • in an emergency, 112.
