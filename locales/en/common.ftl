## Shared texts: menu, commands, fallbacks.

language-self = English

menu-title = What would you like to do?
menu-language = 🌐 Language
menu-privacy = 🔒 Privacy and my data
menu-help-now = 🆘 Need help now?
menu-back = ⬅️ Main menu

unknown-input = Sorry, I only understand the buttons. Please choose from the menu below.
stale-button = That button is from an older message. Here is the menu again.
flood-slow-down = You are sending messages very fast. Please wait a moment, then try again.
error-generic = Sorry, something went wrong on our side. Please try again in a moment.
not-allowed = Sorry, this is not allowed.
private-chats-only = I work in private chats only, so I am leaving. Write to me directly.

help-now =
    If someone is in danger right now, call the emergency number 112.

    Crisis helpline (MIELI), any time: 09 2525 0111
    Violence in a close relationship (Nollalinja), any time, free: 080 005 005
    Phone for children and young people (MLL), free: 116 111

    You do not have to give your name on these lines.

cmd-start = Start and main menu
cmd-menu = Main menu
cmd-services = Browse all services
cmd-help = What this bot does
cmd-language = Change language
cmd-privacy = What is stored about me
cmd-mydata = Show my stored data
cmd-delete = Delete all my data
