## Reminders and event changes sent by the worker.

reminder-day-before =
    ⏰ Reminder: tomorrow is <b>{ $title }</b>
    When: { $when }
    Where: { $place }
reminder-hour-before =
    ⏰ Starting in an hour: <b>{ $title }</b>
    When: { $when }
    Where: { $place }
event-moved =
    📅 The time of <b>{ $title }</b> has changed.
    New time: { $when }
    Your reminder follows the new time.
event-cancelled =
    ❌ <b>{ $title }</b> has been cancelled. Your reminder for it has been removed.
