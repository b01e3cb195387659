## Greeting and help.

greeting =
    Hello! I am Valo. I help families with children find services near them: maternity and child health clinics (neuvola), early childhood education, family activities, support and advice.
    You stay anonymous: I do not ask your name. No person reads this chat, so in an emergency call 112.

help-text =
    I am Valo, a helper for families with children in South-East Finland.
    /find asks a few questions and suggests services, /services lists them all, /events shows events near you and /reminders your reminders.
    Use the buttons to move around. /menu shows the main menu at any time, /language changes the language, /privacy tells what is stored about you.
    No person reads this chat. In an emergency call 112.
