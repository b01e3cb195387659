## Language choice.

language-choose = Please choose your language. / Valitse kieli. / يُرجى اختيار لغتك.
language-set = Done, I will speak English with you.
