## Privacy, my data, deletion.

privacy-text =
    What I store about you:
    • your Telegram user number, so I can answer you,
    • the language you chose,
    • when you first and last used me,
    • your answers in an unfinished conversation.
    I never store your name, username or phone number, and I do not save what you type.
    Unfinished answers are deleted after { $days ->
        [one] { $days } day
       *[other] { $days } days
    }.
    /mydata shows everything stored about you. /delete erases it all.
privacy-counting =
    Anonymous statistics: { $counted ->
        [yes] by default your steps are counted without anything that could identify you (which questions were answered or skipped, which services were shown, the month). No Telegram number, name or text you type goes into them. They help the family services see what families need. You can turn this off.
       *[no] you chose not to be counted. Nothing you do here goes into the statistics.
    }
privacy-count-off = 🚫 Don't count my answers
privacy-count-on = ✅ Count my answers again
privacy-counting-changed = { $counted ->
    [yes] Thank you. Your answers are counted again, anonymously.
   *[no] Done. From now on nothing you do here is counted.
}
privacy-mydata = 📄 Show my data
privacy-delete = 🗑 Delete my data

mydata-text =
    This is everything stored about you:
    • language: { $locale }
    • first used: { $first_seen }
    • last used: { $last_seen }
    • saved conversation steps: { $states }
    • counted in anonymous statistics: { $counted ->
        [yes] yes
       *[no] no
    }
    The attached file has the same data in machine-readable form (JSON).
mydata-none = Nothing is stored about you.
mydata-caption = Your data in Valo

delete-confirm = Do you want to delete everything stored about you? This cannot be undone.
delete-yes = Yes, delete everything
delete-no = No, keep it
delete-done = Everything stored about you has been deleted. If you write to me again, I will start from the beginning.
delete-cancelled = Nothing was deleted.
