## Staff: announcements to subscribed families (/broadcast, /broadcasts) and staff rights (/staff).

## Writing an announcement.

bc-ask-fi =
    New announcement. Write it in Finnish.

    You can use bold, italics and links: format the text in Telegram, or write Telegram's HTML tags such as <b>bold</b>. At most { $max } characters.
bc-ask-en = Now the English text, or skip it: families using English then get the Finnish text.
bc-ask-ar = Now the Arabic text, or skip it: families using Arabic then get the English text (or the Finnish one, if there is no English text).
bc-skip = Skip ⏭
bc-stop = ✖️ Stop, send nothing
bc-stopped = Stopped. Nothing was sent.
bc-need-text = Please send the announcement as a written message, or press "Stop, send nothing".
bc-stale = That button is from an earlier step. Please continue from the latest message.
bc-draft-broken = Something in this announcement is missing. Please start again with /broadcast.

bc-use-buttons = Please choose with the buttons above, or press "Stop, send nothing".

## Texts that cannot be sent. Nothing was saved: send the text again.

bc-text-empty = The text is empty. Please write the announcement.
bc-text-too-long = The text is too long: { $length } characters, at most { $max }. Please shorten it and send it again.
bc-html-unsupported = Telegram does not support the tag <{ $tag }>. Allowed: b, i, u, s, a href, code, pre, blockquote, tg-spoiler. Please correct the text and send it again.
bc-html-unexpected-end = The closing tag </{ $tag }> has no opening tag. Please correct the text and send it again.
bc-html-wrong-end = The closing tag </{ $tag }> does not match: </{ $expected }> was expected first. Please correct the text and send it again.
bc-html-unclosed = The tag <{ $tag }> is never closed. Please add </{ $tag }> and send the text again.
bc-html-broken-tag = A tag is broken (a < or > is missing). If you meant the character itself, write &lt; instead of <. Please send the text again.
bc-html-link-without-address = A link (<a>) needs an address: <a href="https://...">text</a>. Please send the text again.

## The audience.

bc-choose-audience = Who should receive it?
bc-audience-button-all = 📣 All subscribers
bc-audience-button-municipality = 📍 Subscribers in a municipality
bc-audience-button-topic = 🗂 Subscribers of one topic
bc-audience-button-event = ⏰ Families with a reminder
bc-choose-municipality = Which municipality? Families following it, or the whole region, will get it.
bc-choose-topic = Which topic? Families following it, or everything, will get it.
bc-choose-event = Which event? Families with a reminder for it will get the message.
bc-no-events = There are no upcoming events.
bc-audience-all = all subscribers
bc-audience-municipality = subscribers in { $municipality }
bc-audience-topic = subscribers of the topic { $topic }
bc-audience-event = families with a reminder for { $event }
bc-ask-attach = Attach an event? The message then has a "Remind me" button for it.
bc-attach-none = No event
bc-more = More ▶
bc-previous = ◀ Back

## The preview.

bc-preview-title = Preview: each group of families will see the message exactly like this.
bc-preview-group-fi = Families using Finnish: { $count }. They will see:
bc-preview-group-en = Families using English: { $count }. They will see:
bc-preview-group-ar = Families using Arabic: { $count }. They will see:
bc-fallback-en-fi = ⚠️ There is no English text: families using English get the Finnish text ({ $count }).
bc-fallback-ar-en = ⚠️ There is no Arabic text: families using Arabic get the English text ({ $count }).
bc-fallback-ar-fi = ⚠️ There is no Arabic text: families using Arabic get the Finnish text ({ $count }).
bc-preview-summary =
    Ready to send to { $audience }.
    Recipients now: { $total } (Finnish { $fi }, English { $en }, Arabic { $ar }). They are chosen again when sending starts.
bc-preview-event = With a "Remind me" button for: { $event }
bc-preview-nobody = ⚠️ Nobody would receive it right now.
bc-send-now = 📤 Send now
bc-send-later = 🕒 Send later
bc-ask-when = When should it be sent? Type the date and time like this: { $example }

## Sending and reports. These are sent as plain text.

bc-starting = ⏳ Announcement #{ $id } is starting. This message will show its progress.
bc-scheduled = 🕒 Announcement #{ $id } will be sent { $when }. The families are chosen at that time. /broadcasts shows it, and you can cancel it there.
bc-progress-title = 📤 Announcement #{ $id } is being sent.
bc-counts = Sent: { $sent } · Blocked the bot: { $blocked } · Failed: { $failed } · Unknown: { $unknown }
bc-progress-remaining = Still to send: { $remaining } of { $total }
bc-progress-eta = Time left: about { $time }
bc-report-done = ✅ Announcement #{ $id } is finished.
bc-report-cancelled = ⛔ Announcement #{ $id } was cancelled.
bc-report-recipients = Recipients: { $count }
bc-report-not-sent = Not sent because it was cancelled: { $count }
bc-report-unknown-help = "Unknown" means Telegram did not confirm the message. It may have arrived; it is never sent twice.

## The list of announcements.

bc-list-title = Announcements: scheduled and sending first, then the latest.
bc-list-none = No announcements yet. Start one with /broadcast.
bc-status-scheduled = 🕒 scheduled for { $when }
bc-status-sending = 📤 sending since { $when }
bc-status-done = ✅ sent { $when }
bc-status-cancelled = ⛔ cancelled
bc-list-item =
    #{ $id } · { $status }
    To: { $audience }
    “{ $excerpt }”
bc-list-recipients = Recipients: { $count }
bc-cancel-button = ⛔ Cancel #{ $id }
bc-cancel-confirm = Cancel announcement #{ $id }? Families who have not received it yet will not get it.
bc-cancel-yes = Yes, cancel it
bc-cancel-no = No, keep it
bc-kept = OK: announcement #{ $id } goes on as planned.
bc-cancelled = ⛔ Announcement #{ $id } is cancelled. Nobody will get it.
bc-cancel-stopped =
    ⛔ Announcement #{ $id } has been stopped: { $count ->
        [one] one family will not get it.
       *[other] { $count } families will not get it.
    } Messages already sent cannot be taken back.
bc-cancel-too-late = Announcement #{ $id } has already finished, so there is nothing to cancel.
bc-unknown = That announcement does not exist.

## Staff rights.

stf-title = Staff members: { $count }
stf-who = id { $id }
stf-who-labelled = { $label } (id { $id })
stf-line-bootstrap = • { $who }: from the STAFF_IDS setting
stf-line-invited = • { $who }: since { $date }
stf-line-other = • { $who }
stf-you = (you)
stf-invite-button = ➕ Invite a new staff member
stf-remove-button = ➖ Remove { $who }
stf-ask-label = Who is the invite for? Type their name or a short note (only staff see it), or skip.
stf-skip = Skip ⏭
stf-invite-created =
    ✅ A one-time invite link for { $who }:
    { $link }

    It works once and expires { $expires }. Send it only to that person: whoever opens it becomes staff.
stf-invite-anyone = the new staff member
stf-remove-confirm = Remove staff rights from { $who }? They can then no longer send announcements or manage events.
stf-remove-yes = Yes, remove
stf-remove-no = No, keep them
stf-removed = ✅ { $who } is no longer staff.
stf-removed-invites = { $count ->
    [one] The unused invite link they created no longer works.
   *[other] The { $count } unused invite links they created no longer work.
}
stf-pending-title = Unused invite links: { $count }
stf-pending-line = • for { $who }, created by id { $by }, works until { $expires }
stf-cancel-button = ✖ Cancel the invite for { $who }
stf-invite-cancelled = ✅ The invite is cancelled: its link no longer works.
stf-invite-gone = That invite was used already or has expired, so there was nothing to cancel.
stf-remove-bootstrap = { $who } is staff through the STAFF_IDS setting. Ask the administrator to change the setting.
stf-remove-self = You cannot remove your own staff rights. Ask another staff member.
stf-remove-not-staff = { $who } is not staff any more.
stf-welcome =
    ✅ Welcome to the staff! You can now use:
    /broadcast to send an announcement to subscribed families
    /broadcasts to see announcements and cancel them
    /staffevents and /addevent to manage events
    /flags to see cards families reported as wrong
    /staff to see and invite staff
stf-joined = ✅ { $who } accepted your invite and is now staff.
stf-already-staff = You are staff already. The invite link was not used, so someone else can still use it.
stf-invite-invalid = This invite link does not work: it has been used already, or it has expired (links work for 24 hours). Please ask a staff member for a new one.
