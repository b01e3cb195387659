## الفعاليات القريبة من العائلة، التذكيرات، الأخبار عبر الرسائل، وأدوات الموظفين للفعاليات.

menu-events = 🎨 فعاليات للعائلات
menu-reminders = ⏰ تذكيراتي
menu-news = 📣 الأخبار عبر الرسائل

cmd-events = الفعاليات القريبة منك
cmd-reminders = تذكيراتي
cmd-news = الاشتراك في الأخبار عبر الرسائل

## أنواع الفعاليات.

event-kind-art = 🎨 الفن والثقافة
event-kind-open-ecec = 🧸 التعليم المبكر المفتوح
event-kind-family-cafe = ☕ مقاهي الأسرة والنوادي
event-kind-other = ✨ فعاليات أخرى

## تصفح الفعاليات.

events-choose-municipality = أين تسكن؟ سأعرض لك الفعاليات القريبة منك.
events-everywhere = 🗺 الفعاليات في كل مكان
events-heading-near = فعاليات قريبة من { $municipality }
events-heading-everywhere = الفعاليات في كل مكان
events-heading-kind = المعروض: { $kind }
events-found = { $count ->
    [zero] لا توجد فعاليات قادمة.
    [one] هناك فعالية واحدة قادمة:
    [two] هناك فعاليتان قادمتان:
    [few] هناك { $count } فعاليات قادمة:
    [many] هناك { $count } فعالية قادمة:
   *[other] هناك { $count } فعالية قادمة:
}
events-none = لا توجد فعاليات قادمة هنا بعد. جرّب نوعًا آخر من الفعاليات أو مكانًا آخر.
events-section-local = في { $municipality }
events-section-regional = في المنطقة القريبة
events-section-nationwide = في كل أنحاء فنلندا
events-more = المزيد ◀
events-previous = ▶ رجوع
events-filter = 🗂 اختر نوع الفعالية
events-choose-kind = ما نوع الفعاليات التي تريد رؤيتها؟
events-all-kinds = كل الأنواع
events-change-municipality = 📍 تغيير المكان
events-gone = عذرًا، هذه الفعالية لم تعد متاحة. ربما أُلغيت أو انتهت.

## فعالية واحدة.

event-when = الموعد: { $when }
event-repeats-weekly = التكرار: كل أسبوع
event-repeats = التكرار: بشكل منتظم
event-where = المكان: { $place }
event-ages = للأطفال بعمر { $min }–{ $max }
event-ages-expecting = للعائلات التي تنتظر مولودًا
event-cost-free = التكلفة: مجانية
event-cost-fee = التكلفة: برسوم
event-cost-income-based = التكلفة: حسب دخلك
event-by = الجهة المنظمة: { $service }
event-line = يوم { $when } · { $municipality }
event-line-no-place = يوم { $when }
event-remind-me = ⏰ ذكّرني
event-add-to-calendar = 📅 أضف إلى التقويم
event-show-map = 📍 عرض على الخريطة
event-ics-caption = افتح هذا الملف لإضافة الفعالية إلى تقويمك.

## ذكّرني.

remind-which =
    الفعالية: { $title }
    المرة القادمة: { $when }
    هل أذكّرك بالمرة القادمة فقط، أم في كل مرة؟
remind-next-only = المرة القادمة فقط ({ $when })
remind-follow-series = في كل مرة (متابعة السلسلة)
remind-when = متى تريد أن أذكّرك؟
remind-choice-d = في اليوم السابق الساعة 18:00
remind-choice-h = قبل ساعة
remind-choice-b = الاثنان معًا
remind-offsets-d = في اليوم السابق الساعة 18:00
remind-offsets-h = قبل ساعة
remind-offsets-b = في اليوم السابق الساعة 18:00 وقبل ساعة
remind-set-once = ✅ تم! سأذكّرك بالفعالية: { $title } ({ $when })، { $offsets }.
remind-set-series = ✅ تم! سأذكّرك في كل مرة بالفعالية: { $title }، { $offsets }.
remind-too-late = فات وقت التذكير: الفعالية تبدأ قريبًا جدًا. نراك هناك!
remind-see-all = 📋 تذكيراتي

## تذكيراتي.

reminders-title = { $count ->
    [zero] ليس لديك أي تذكير.
    [one] لديك تذكير واحد:
    [two] لديك تذكيران:
    [few] لديك { $count } تذكيرات:
    [many] لديك { $count } تذكيرًا:
   *[other] لديك { $count } تذكير:
}
reminders-item-once =
    التذكير { $number }: <b>{ $title }</b>
    الموعد: { $when }
    التنبيه: { $offsets }
reminders-item-weekly =
    التذكير { $number }: <b>{ $title }</b>، كل أسبوع
    المرة القادمة: { $when }
    التنبيه: { $offsets }
reminders-item-series =
    التذكير { $number }: <b>{ $title }</b>، في كل مرة
    المرة القادمة: { $when }
    التنبيه: { $offsets }
reminders-none = ليس لديك تذكيرات بعد. افتح فعالية واضغط «ذكّرني».
reminders-cancel = ❌ إلغاء { $number }: { $title }
reminders-cancelled = ✅ أُلغي التذكير.
reminders-not-found = هذا التذكير لم يعد موجودًا.

## الأخبار عبر الرسائل.

news-choose-municipality = من أي بلدية تريد الأخبار؟ اختر مكان سكنك.
news-whole-region = 🗺 المنطقة كلها
news-topic-art = 🎨 الفعاليات الفنية
news-topic-open-ecec = 🧸 التعليم المبكر المفتوح
news-topic-family-cafe = ☕ مقاهي الأسرة
news-topic-all = 📣 كل الأخبار
news-on-mark = ✅
news-off-mark = ▫️
news-status-none = لا تصلك أي أخبار حاليًا.
news-status = تصلك أخبار من { $municipality } عن: { $topics }.
news-status-everything = تصلك كل الأخبار من { $municipality }.
news-topics-help = ما الأخبار التي تريدها من { $municipality }؟ اضغط على موضوع لتفعيله أو إيقافه. يمكنك التغيير أو الإيقاف في أي وقت.
news-change-municipality = 📍 تغيير البلدية
news-stop = 🔕 إيقاف كل الأخبار
news-stopped = تم. لن تصلك منا أخبار بعد الآن. يمكنك البدء من جديد في أي وقت.
news-start-again = 📣 اختيار الأخبار من جديد

## الموظفون: إدارة الفعاليات.

staff-events-title = { $count ->
    [zero] أدوات الموظفين: لا توجد فعاليات قادمة. يمكنك إضافة فعالية.
    [one] أدوات الموظفين: هناك فعالية قادمة واحدة. اخترها لتعديلها أو نقلها أو إلغائها، أو أضف فعالية جديدة.
    [two] أدوات الموظفين: هناك فعاليتان قادمتان. اختر إحداهما لتعديلها أو نقلها أو إلغائها، أو أضف فعالية جديدة.
    [few] أدوات الموظفين: هناك { $count } فعاليات قادمة. اختر فعالية لتعديلها أو نقلها أو إلغائها، أو أضف فعالية جديدة.
    [many] أدوات الموظفين: هناك { $count } فعالية قادمة. اختر فعالية لتعديلها أو نقلها أو إلغائها، أو أضف فعالية جديدة.
   *[other] أدوات الموظفين: هناك { $count } فعالية قادمة. اختر فعالية لتعديلها أو نقلها أو إلغائها، أو أضف فعالية جديدة.
}
staff-add-event = ➕ إضافة فعالية
staff-event-reminded = { $count ->
    [zero] لا توجد عائلة لديها تذكير بهذه الفعالية بعد.
    [one] لدى عائلة واحدة تذكير بهذه الفعالية.
    [two] لدى عائلتين تذكير بهذه الفعالية.
    [few] لدى { $count } عائلات تذكير بهذه الفعالية.
    [many] لدى { $count } عائلة تذكير بهذه الفعالية.
   *[other] لدى { $count } عائلة تذكير بهذه الفعالية.
}
staff-edit-title = ✏️ تعديل العنوان
staff-move = 🕒 نقل إلى موعد آخر
staff-cancel-event = ❌ إلغاء الفعالية
staff-back-to-list = ➡️ كل الفعاليات
staff-open-event = 📄 فتح الفعالية
staff-ask-title-language = عنوان أي لغة تريد تغييره؟
staff-language-fi = الفنلندية
staff-language-en = الإنجليزية
staff-language-ar = العربية
staff-ask-new-title =
    العنوان الحالي: { $current }
    اكتب العنوان الجديد.
staff-title-saved = ✅ حُفظ العنوان: { $title }
staff-ask-move = اكتب التاريخ والوقت الجديدين، مثلًا { $example }. سنُبلغ العائلات التي لديها تذكير.
staff-moved = ✅ نُقلت الفعالية إلى { $when }. { $count ->
    [zero] لم يكن لدى أي عائلة تذكير.
    [one] سنُبلغ عائلة واحدة لديها تذكير.
    [two] سنُبلغ عائلتين لديهما تذكير.
    [few] سنُبلغ { $count } عائلات لديها تذكير.
    [many] سنُبلغ { $count } عائلة لديها تذكير.
   *[other] سنُبلغ { $count } عائلة لديها تذكير.
}
staff-cancel-confirm = هل تريد إلغاء الفعالية: { $title }؟ { $count ->
    [zero] لا توجد عائلة لديها تذكير بها.
    [one] سنُبلغ عائلة واحدة لديها تذكير.
    [two] سنُبلغ عائلتين لديهما تذكير.
    [few] سنُبلغ { $count } عائلات لديها تذكير.
    [many] سنُبلغ { $count } عائلة لديها تذكير.
   *[other] سنُبلغ { $count } عائلة لديها تذكير.
}
staff-cancel-yes = نعم، ألغِها
staff-cancel-no = لا، أبقِها
staff-cancelled = ✅ أُلغيت الفعالية: { $title }. { $count ->
    [zero] لم يكن لدى أي عائلة تذكير.
    [one] سنُبلغ عائلة واحدة لديها تذكير.
    [two] سنُبلغ عائلتين لديهما تذكير.
    [few] سنُبلغ { $count } عائلات لديها تذكير.
    [many] سنُبلغ { $count } عائلة لديها تذكير.
   *[other] سنُبلغ { $count } عائلة لديها تذكير.
}

## الموظفون: إضافة فعالية.

staff-ask-title-fi = فعالية جديدة. اكتب عنوانها بالفنلندية.
staff-ask-title-en = اكتب العنوان بالإنجليزية، أو تخطَّ هذه الخطوة: سترى العائلات التي تستخدم الإنجليزية العنوان الفنلندي.
staff-ask-title-ar = اكتب العنوان بالعربية، أو تخطَّ هذه الخطوة: سترى العائلات التي تستخدم العربية العنوان الفنلندي.
staff-skip = تخطَّ ◀
staff-abort = ✖️ إيقاف دون حفظ
staff-aborted = توقفنا. لم يُحفظ أي شيء.
staff-ask-service = إلى أي خدمة تنتمي الفعالية؟ اخترها من القائمة، أو اكتب معرّف الخدمة.
staff-ask-start = متى تبدأ؟ اكتب التاريخ والوقت هكذا: { $example }
staff-ask-duration = كم تستغرق؟ اختر، أو اكتب الدقائق (90) أو الساعات والدقائق (1.30).
staff-minutes = { $minutes ->
    [few] { $minutes } دقائق
   *[other] { $minutes } دقيقة
}
staff-ask-place = أين تقام؟ اختر أحد أماكن الخدمة.
staff-no-place = بدون مكان ثابت
staff-ask-kinds = ما نوع الفعالية؟ اختر نوعًا أو أكثر، ثم اضغط «تم».
staff-done = ✅ تم
staff-ask-ages = لأي أعمار؟ اختر، أو اكتب مدى مثل 3-6.
staff-ages-same = كما في الخدمة
staff-ask-cost = هل هي مجانية؟
staff-cost-same = كما في الخدمة
staff-ask-repeat = هل تقام مرة واحدة أم كل أسبوع؟
staff-repeat-once = مرة واحدة فقط
staff-repeat-weekly = كل أسبوع
staff-ask-until = حتى أي تاريخ تتكرر؟ اكتب آخر تاريخ هكذا: 28.5.2027
staff-preview-intro = معاينة: هكذا ستراها العائلات.
staff-preview-titles = العناوين: fi: { $fi } · en: { $en } · ar: { $ar }
staff-preview-fallback = لا يوجد عنوان باللغة: { $languages }. سترى العائلات التي تستخدم لغة بلا عنوان العنوانَ الفنلندي.
staff-preview-until = تتكرر كل أسبوع حتى { $date }.
staff-save = 💾 حفظ
staff-saved = ✅ حُفظت الفعالية: { $title }. يمكن للعائلات الآن إيجادها عبر /events.
staff-draft-broken = ينقص شيء في هذه الفعالية. ابدأ من جديد عبر /addevent.
staff-stale = هذا الزر من خطوة سابقة. تابع من آخر رسالة.
staff-need-text = اكتب إجابتك نصًا، أو اضغط «إيقاف دون حفظ».

## الموظفون: مدخلات لا يمكن استخدامها.

staff-error-datetime = لم أفهم هذا الوقت. اكتب التاريخ والوقت هكذا: 5.12.2026 10.00
staff-error-no-such-time = هذا الوقت غير موجود: تُقدَّم الساعة في تلك الليلة. اختر وقتًا آخر.
staff-error-past = هذا الوقت مضى. اكتب وقتًا في المستقبل.
staff-error-too-far = هذا الموعد بعد أكثر من سنة. تحقق من السنة.
staff-error-date = لم أفهم هذا التاريخ. اكتبه هكذا: 28.5.2027
staff-error-until-before = يجب أن يكون آخر تاريخ بعد الموعد الأول.
staff-error-duration = اكتب المدة بالدقائق (90) أو بالساعات والدقائق (1.30)، من 10 دقائق إلى 12 ساعة.
staff-error-ages = اكتب الأعمار هكذا: 3-6 (سنوات كاملة، من 0 إلى { $max }).
staff-error-title = يجب أن يكون طول العنوان من 1 إلى { $max ->
    [one] حرف واحد
    [two] حرفين
    [few] { $max } أحرف
    [many] { $max } حرفًا
   *[other] { $max } حرف
}.
staff-error-no-times = بعد هذا التغيير لن يبقى للفعالية أي موعد. تحقق من التاريخ.
staff-error-kinds = اختر نوعًا واحدًا على الأقل.
staff-error-service = لا توجد خدمة بالمعرّف «{ $id }». اختر من القائمة أو تحقق من المعرّف.
