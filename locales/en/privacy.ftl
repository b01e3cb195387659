## Privacy, my data, deletion.
## /privacy names every kind of data kept (privacy-kind-*, one per bot.db.personal_data.Kind).

privacy-text = What I keep about you, and for how long:
privacy-kind-account = • Your Telegram user number, so I can answer you. The language you chose. When you first and last used me (to the hour). Whether you have blocked me, and whether you said “Don't count my answers”. Staff or professional rights, if you have them. Kept until you delete them.
privacy-kind-dialog = • Your answers to the /find questions, where you are in them, and the start link you came from. For staff, also a draft they are writing. Deleted after { $days ->
        [one] { $days } day
       *[other] { $days } days
    } without a new answer.
privacy-kind-reminders = • Reminders you set: the event, the date and when to remind you. Kept until you cancel the reminder or the organiser cancels the event.
privacy-kind-subscriptions = • News you subscribed to: the municipality and the topic. Kept until you unsubscribe.
privacy-kind-deliveries = • A log of the messages I sent you (reminders, news, notices): which message, when, and whether it arrived. After { $days ->
        [one] { $days } day
       *[other] { $days } days
    }, only a count per day is left, with nothing about you.
privacy-kind-card-marks = • If you report a mistake on a card: a mark that you reported that card this month, so that each person counts once. Deleted when the month is over. The report itself does not say who sent it.
privacy-kind-staff = • Only for staff and professionals: the invite you accepted, with the name written on it, and the announcements and invites you made. These carry your Telegram user number. The announcements and invites you made belong to the organisation, so /delete does not delete them.
privacy-kind-statistics = • Anonymous statistics: the answers chosen (municipality, children's ages, needs, languages), the chat language, the start link, the services shown and the month. They cannot be linked to you: they hold no Telegram user number and no name, so /delete cannot find them.
privacy-never = I never store your name, username or phone number, and I do not save what you type to me. The only texts kept are the announcements and events staff write.
privacy-inactive = { $days ->
    [0] I do not delete the data of people who stop using me: it stays until you delete it with /delete.
   *[other] If you do not use me for { $days ->
        [one] { $days } day
       *[other] { $days } days
    } (no message, command or button press) and I have sent you no reminder or news in the last { $recent } days, I delete everything above, just as /delete does. Staff keep their staff rights (with their user number, language and invite); the rest is deleted.
}
privacy-commands = /mydata shows everything stored about you. /delete erases it all.
privacy-counting = { $counted ->
    [yes] You are counted in the anonymous statistics by default. They help the family services see what families need. You can turn this off.
   *[no] You chose not to be counted. Nothing you do here goes into the statistics.
}
privacy-count-off = 🚫 Don't count my answers
privacy-count-on = ✅ Count my answers again
privacy-counting-changed = { $counted ->
    [yes] Thank you. Your answers are counted again, anonymously.
   *[no] Done. From now on nothing you do here is counted.
}
privacy-mydata = 📄 Show my data
privacy-delete = 🗑 Delete my data

mydata-text = This is everything stored about you:
mydata-kind-account =
    • language: { $locale }
    • first used: { $first_seen }
    • last used: { $last_seen }
    • counted in anonymous statistics: { $counted ->
        [yes] yes
       *[no] no
    }
mydata-kind-dialog = • saved dialog steps and answers: { $count }
mydata-kind-reminders = • reminders: { $count }
mydata-kind-subscriptions = • news subscriptions: { $count }
mydata-kind-deliveries = • messages sent to you, in the log: { $count }
mydata-kind-card-marks = • cards you reported this month: { $count }
mydata-kind-staff = • staff records with your Telegram user number: { $count }
mydata-file = The attached file has the same data in machine-readable form (JSON).
mydata-none = Nothing is stored about you.
mydata-caption = Your data in Valo

delete-confirm = Do you want to delete everything stored about you? This cannot be undone.
delete-yes = Yes, delete everything
delete-no = No, keep it
delete-done = Everything stored about you has been deleted. If you write to me again, I will start from the beginning.
delete-cancelled = Nothing was deleted.
