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
privacy-mydata = 📄 Show my data
privacy-delete = 🗑 Delete my data

mydata-text =
    This is everything stored about you:
    • language: { $locale }
    • first used: { $first_seen }
    • last used: { $last_seen }
    • saved conversation steps: { $states }
    The attached file has the same data in machine-readable form (JSON).
mydata-none = Nothing is stored about you.
mydata-caption = Your data in Valo

delete-confirm = Do you want to delete everything stored about you? This cannot be undone.
delete-yes = Yes, delete everything
delete-no = No, keep it
delete-done = Everything stored about you has been deleted. If you write to me again, I will start from the beginning.
delete-cancelled = Nothing was deleted.
