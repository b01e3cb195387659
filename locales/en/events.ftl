## Events near the family, reminders, news by message, and the staff event tools.

menu-events = 🎨 Events for families
menu-reminders = ⏰ My reminders
menu-news = 📣 News by message

cmd-events = Events near you
cmd-reminders = My reminders
cmd-news = Get news by message

## Kinds of events.

event-kind-art = 🎨 Art and culture
event-kind-open-ecec = 🧸 Open early education
event-kind-family-cafe = ☕ Family cafés and clubs
event-kind-other = ✨ Other events

## Browsing events.

events-choose-municipality = Where do you live? I will show you events nearby.
events-everywhere = 🗺 Events everywhere
events-heading-near = Events near { $municipality }
events-heading-everywhere = Events everywhere
events-heading-kind = Showing: { $kind }
events-found = { $count ->
    [one] One event coming up:
   *[other] { $count } events coming up:
}
events-none = No events coming up here yet. Try another kind of event or another place.
events-section-local = In { $municipality }
events-section-regional = Nearby
events-section-nationwide = Across Finland
events-more = More ▶
events-previous = ◀ Back
events-filter = 🗂 Choose a kind of event
events-choose-kind = What kind of events would you like to see?
events-all-kinds = All kinds
events-change-municipality = 📍 Change place
events-gone = Sorry, that event is no longer available. It may have been cancelled, or it is already over.

## One event.

event-when = When: { $when }
event-repeats-weekly = Repeats: every week
event-repeats = Repeats: regularly
event-where = Where: { $place }
event-ages = For ages: { $min }–{ $max }
event-ages-expecting = For families expecting a baby
event-cost-free = Cost: free
event-cost-fee = Cost: there is a fee
event-cost-income-based = Cost: depends on your income
event-by = Organised by: { $service }
event-line = { $when } · { $municipality }
event-line-no-place = { $when }
event-remind-me = ⏰ Remind me
event-add-to-calendar = 📅 Add to my calendar
event-show-map = 📍 Show on map
event-ics-caption = Open this file to add the event to your calendar.

## Remind me.

remind-which =
    Event: { $title }
    Next time: { $when }
    Should I remind you of the next time only, or of every time?
remind-next-only = Only the next time ({ $when })
remind-follow-series = Every time (follow the series)
remind-when = When should I remind you?
remind-choice-d = The day before at 18.00
remind-choice-h = One hour before
remind-choice-b = Both
remind-offsets-d = the day before at 18.00
remind-offsets-h = one hour before
remind-offsets-b = the day before at 18.00 and one hour before
remind-set-once = ✅ Done! I will remind you of { $title } ({ $when }): { $offsets }.
remind-set-series = ✅ Done! I will remind you every time { $title } is on: { $offsets }.
remind-too-late = It is too late for a reminder: the event starts very soon. See you there!
remind-see-all = 📋 My reminders

## My reminders.

reminders-title = { $count ->
    [one] You have one reminder:
   *[other] You have { $count } reminders:
}
reminders-item-once =
    { $number }. <b>{ $title }</b>
    When: { $when }
    Reminder: { $offsets }
reminders-item-weekly =
    { $number }. <b>{ $title }</b>, every week
    Next time: { $when }
    Reminder: { $offsets }
reminders-item-series =
    { $number }. <b>{ $title }</b>, every time
    Next time: { $when }
    Reminder: { $offsets }
reminders-none = You have no reminders yet. Open an event and press "Remind me".
reminders-cancel = ❌ Cancel { $number }: { $title }
reminders-cancelled = ✅ The reminder is cancelled.
reminders-not-found = That reminder was already gone.

## News by message.

news-choose-municipality = Which municipality would you like news from? Choose where you live.
news-whole-region = 🗺 The whole region
news-topic-art = 🎨 Art events
news-topic-open-ecec = 🧸 Open early education
news-topic-family-cafe = ☕ Family cafés
news-topic-all = 📣 Everything
news-on-mark = ✅
news-off-mark = ▫️
news-status-none = You do not get any news yet.
news-status = You get news from { $municipality }: { $topics }.
news-status-everything = You get all news from { $municipality }.
news-topics-help = What news from { $municipality } would you like? Tap a topic to turn it on or off. You can change or stop this any time.
news-change-municipality = 📍 Change municipality
news-stop = 🔕 Stop all news
news-stopped = Done. You will not get news from us any more. You can start again any time.
news-start-again = 📣 Choose news again

## Staff: managing events.

staff-events-title = { $count ->
    [0] Staff tools: there are no upcoming events. You can add one.
    [one] Staff tools: one upcoming event. Choose it to edit, move or cancel it, or add a new one.
   *[other] Staff tools: { $count } upcoming events. Choose one to edit, move or cancel it, or add a new one.
}
staff-add-event = ➕ Add an event
staff-event-reminded = { $count ->
    [0] No family has a reminder for this event yet.
    [one] One family has a reminder for this event.
   *[other] { $count } families have a reminder for this event.
}
staff-edit-title = ✏️ Edit the title
staff-move = 🕒 Move to another time
staff-cancel-event = ❌ Cancel the event
staff-back-to-list = ⬅️ All events
staff-open-event = 📄 Open the event
staff-ask-title-language = Which title do you want to change?
staff-language-fi = Finnish
staff-language-en = English
staff-language-ar = Arabic
staff-ask-new-title =
    The title now: { $current }
    Type the new title.
staff-title-saved = ✅ The title is saved: { $title }
staff-ask-move = Type the new date and time, for example { $example }. Families with a reminder will be told.
staff-moved = ✅ Moved to { $when }. { $count ->
    [0] No family had a reminder.
    [one] One family with a reminder will be told.
   *[other] { $count } families with a reminder will be told.
}
staff-cancel-confirm = Cancel { $title }? { $count ->
    [0] No family has a reminder for it.
    [one] One family with a reminder will be told.
   *[other] { $count } families with a reminder will be told.
}
staff-cancel-yes = Yes, cancel it
staff-cancel-no = No, keep it
staff-cancelled = ✅ { $title } is cancelled. { $count ->
    [0] No family had a reminder.
    [one] One family with a reminder will be told.
   *[other] { $count } families with a reminder will be told.
}

## Staff: adding an event.

staff-ask-title-fi = A new event. Type its title in Finnish.
staff-ask-title-en = Type the title in English, or skip it: families using English will then see the Finnish title.
staff-ask-title-ar = Type the title in Arabic, or skip it: families using Arabic will then see the Finnish title.
staff-skip = Skip ⏭
staff-abort = ✖️ Stop without saving
staff-aborted = Stopped. Nothing was saved.
staff-ask-service = Which service does the event belong to? Choose it from the list, or type the service id.
staff-ask-start = When does it start? Type the date and time like this: { $example }
staff-ask-duration = How long does it last? Choose, or type minutes (90) or hours and minutes (1.30).
staff-minutes = { $minutes } min
staff-ask-place = Where is it? Choose one of the service's places.
staff-no-place = No fixed place
staff-ask-kinds = What kind of event is it? Choose one or more, then press Done.
staff-done = ✅ Done
staff-ask-ages = For which ages? Choose, or type a range like 3-6.
staff-ages-same = Same as the service
staff-ask-cost = Is it free?
staff-cost-same = Same as the service
staff-ask-repeat = Does it happen once, or every week?
staff-repeat-once = Only once
staff-repeat-weekly = Every week
staff-ask-until = Until which date does it repeat? Type the last date like this: 28.5.2027
staff-preview-intro = Preview: families will see the event like this.
staff-preview-titles = Titles: fi: { $fi } · en: { $en } · ar: { $ar }
staff-preview-fallback = No title in { $languages }. Families who use a language without a title will see the Finnish title.
staff-preview-until = Repeats every week until { $date }.
staff-save = 💾 Save
staff-saved = ✅ Saved: { $title }. Families can now find it in /events.
staff-draft-broken = Something in this event is missing. Please start again with /addevent.
staff-stale = That button is from an earlier step. Please continue from the latest message.
staff-need-text = Please type your answer as text, or press "Stop without saving".

## Staff: input that could not be used.

staff-error-datetime = I could not read that time. Type the date and time like this: 5.12.2026 10.00
staff-error-no-such-time = That time does not exist: the clocks move forward that night. Please choose another time.
staff-error-past = That time has already passed. Please type a time in the future.
staff-error-too-far = That is more than a year away. Please check the year.
staff-error-date = I could not read that date. Type it like this: 28.5.2027
staff-error-until-before = The last date must be after the first time.
staff-error-duration = Type the length as minutes (90) or hours and minutes (1.30), from 10 minutes to 12 hours.
staff-error-ages = Type the ages like this: 3-6 (whole years, from 0 to { $max }).
staff-error-title = The title must be 1 to { $max } characters long.
staff-error-no-times = After this change the event would have no times left. Please check the date.
staff-error-kinds = Choose at least one kind.
staff-error-service = There is no service with the id "{ $id }". Choose one from the list, or check the id.
