## Kielen valinta.

language-choose = Valitse kieli. / Please choose your language. / يُرجى اختيار لغتك.
language-set = Selvä, puhun kanssasi suomea.
