## البطاقة المطبوعة لمسار الخدمات (issue #25): يطبعها المختص لعائلة ليس لديها تيليغرام.

guide-print-title = خدمات لعائلتك
guide-print-intro = هذه هي الخدمات التي تحدثت عنها مع أحد المختصين. يمكنك الاتصال بها أو الذهاب إليها بنفسك. تجد أرقام الهواتف والعناوين أدناه.
guide-print-steps = الخدمات
guide-print-events = فعاليات قادمة
guide-print-event-when = الموعد: { $when }
guide-print-event-where = المكان: { $place }
guide-print-qr = امسح الرمز بهاتفك. تُفتح الخدمات في Valo على تيليغرام.
guide-print-qr-label = رمز QR: رابط إلى Valo
guide-print-more = توجد خدمات وفعاليات أخرى في تيليغرام: امسح الرمز.
guide-print-made = أُعدّت هذه البطاقة في { $date }
guide-print-valid = يعمل الرابط حتى { $date }.
