## اختيار اللغة.

language-choose = يُرجى اختيار لغتك. / Valitse kieli. / Please choose your language.
language-set = تم، سأتحدث معك باللغة العربية.
