## Indicator report (valo-bot report, /stats): anonymous session counts for service designers.

report-title = Valo indicators
report-period = { $first } – { $last }
report-scope-all = all municipalities
report-scope-one = { $municipality }
report-made = made { $date }
report-reading = How to read this report
report-about = Every figure counts sessions: one family going through a dialog once, or one action outside a dialog. Nothing here identifies anyone: Valo records only the ids of questions, choices and services, the month, and a random session id that is forgotten when the dialog ends, and nothing at all for families who chose "don't count my answers". Figures under { $threshold } are hidden, and so are a few larger ones where needed, so that no small figure can be worked out from the totals.
report-legend-small = fewer than five sessions (0 to 4), hidden so that nobody can be recognised
report-legend-protecting = five or more, hidden so that a figure under five cannot be worked out from the totals
report-legend-withheld = not published: a total over months in which one month's figure is hidden (or counted under "other"), so the total is hidden too
report-contents = Contents
report-footer = Made by Valo from anonymous indicator events. Counts are of sessions; figures under five are not shown.
report-total = Total
report-no-data = No sessions in this period.
report-chart-desc = Bar chart. The same figures are in the table beside it; hidden figures are marked, not drawn.
report-chart-months = The chart shows the table's total row, month by month.
report-chart-row-totals = The chart shows each row's total.
report-chart-rate = The chart shows each row's total and { $rate }.

report-other-municipalities = Other municipalities
report-municipality-none = Not given
report-other-sources = Other sources
report-source-none = No link (started in the bot)
report-other-services = Other services
report-other-topics = Other topics
report-locale-none = Unknown

report-kind-municipality = Municipality
report-kind-need = Need
report-kind-node = Question
report-kind-locale = Language
report-kind-source = Source
report-kind-service = Service
report-kind-action = Action
report-kind-topic = Topic
report-kind-figure = Figure

report-figure-sessions = Dialogs
report-figure-results = Reached the results
report-figure-no-match = Results with no match
report-figure-finished = Finished
report-figure-abandoned = Left before the end

report-column-sessions = Sessions
report-column-answered = Answered
report-column-skipped = Skipped
report-column-left = Left here
report-column-no-local = No local service
report-column-local = Local service found
report-column-subscribed = Subscribed
report-column-unsubscribed = Unsubscribed

report-action-card_location = Location of a service asked
report-action-card_flagged = Card reported as wrong
report-action-event_opened = Event opened
report-action-reminder_set = Reminder set
report-action-subscribed = News subscribed
report-action-unsubscribed = News unsubscribed

report-topic-art = Art events
report-topic-open-ecec = Open early education
report-topic-family-cafe = Family cafés
report-topic-all = Everything

report-rate-funnel = Drop-off
report-rate-gaps-by-need = Share without a local service

report-section-sessions = Families using Valo
report-section-sessions-about = Dialogs started, by the municipality the family gave and by month.
report-section-needs = Needs
report-section-needs-about = What families said would make everyday life easier. A family can choose several needs, so the needs add up to more than the dialogs.
report-section-funnel = Questions and drop-off
report-section-funnel-about = For each version of each dialog: how many sessions reached each question, and how many answered it, skipped it or left the dialog there.
report-section-gaps = Service gaps
report-section-gaps-about = Needs for which the results had no service with a location in the family's own municipality (regional and nationwide services may still have been shown).
report-section-services = Services shown and cards
report-section-services-about = Which services families were shown, and which cards they reported as wrong.
report-section-actions = Reminders, events and news
report-section-actions-about = What families did outside the dialogs. Each action counts as one session.
report-section-reach = Languages and links
report-section-reach-about = The language of the dialogs and the link that brought the family (a poster's or partner's deep link).

report-table-key-figures = Key figures
report-table-key-figures-about = Dialogs of the period and how they ended.
report-table-sessions-by-municipality = Dialogs by municipality and month
report-table-sessions-by-municipality-about = Municipalities with fewer than five dialogs in the period are counted together as other municipalities.
report-table-needs-by-municipality = Needs by municipality
report-table-needs-by-municipality-about = Sessions that chose each need, by the family's municipality. The total row counts need choices.
report-table-needs-by-month = Needs by month
report-table-needs-by-month-about = Sessions that chose each need, by month. The total row counts need choices.
report-table-funnel = Dialog "{ $tree }", version { $version }
report-table-funnel-about = Sessions that reached each question (the total), and what they did there. Drop-off is the share that left the dialog at the question.
report-table-gaps-by-need = Needs with and without a local service
report-table-gaps-by-need-about = Sessions that reached the results with each need: whether a service with a location in their municipality was found.
report-table-gaps-by-municipality = Needs without a local service, by municipality
report-table-gaps-by-municipality-about = Sessions whose need had no local service, by the family's municipality. "Not given": the family did not say where they live.
report-table-services-shown = Most shown services
report-table-services-shown-about = Sessions in which each service was shown (up to 20 services; only services shown in at least five sessions). A session can show several services, so there is no total.
report-table-cards-flagged = Cards reported as wrong
report-table-cards-flagged-about = Reports that a service card had wrong information. Services with fewer than five reports are counted together.
report-table-actions-by-month = Actions by month
report-table-actions-by-month-about = Reminders set, events opened, locations asked, cards reported and news subscriptions changed.
report-table-subscriptions = News subscriptions by topic
report-table-subscriptions-about = Subscriptions turned on and off, by topic.
report-table-languages-by-month = Languages by month
report-table-languages-by-month-about = Dialogs by the language the family used Valo in.
report-table-sources-by-month = Links by month
report-table-sources-by-month-about = Dialogs by the deep link that brought the family. Links with fewer than five dialogs are counted together.

## /stats in the bot (staff only)

stats-title = 📊 Valo: { $period } ({ $scope })
stats-sessions = Dialogs: { $sessions }. Reached the results: { $results }. Finished: { $finished }.
stats-needs = Most chosen needs: { $needs }
stats-gaps = Most often without a local service: { $needs }
stats-no-match = Results with no match at all: { $count }
stats-legend = "<5" means fewer than five and ".." a figure hidden to protect one; nobody can be recognised. The full report is in the file.
stats-caption = Valo indicators, { $period }. Open the file in a browser; it also prints.
stats-bad-period = Please give whole months as YYYY-MM: /stats for the last whole month, /stats 2026-03 for one month, or /stats 2026-01 2026-06 for a range (months that have ended, at most 60, first month first).
stats-report-language = The report file is in { $language }: reports are made in Finnish and English.
