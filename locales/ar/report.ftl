## تقرير المؤشرات (valo-bot report و /stats): أعداد جلسات مجهولة الهوية لمصممي الخدمات.

report-title = مؤشرات Valo
report-period = { $first } – { $last }
report-scope-all = كل البلديات
report-scope-one = { $municipality }
report-made = أُعدّ في { $date }
report-reading = كيف تقرأ هذا التقرير
report-about = كل رقم هنا هو عدد جلسات: عائلة تمرّ بمحادثة مرة واحدة، أو إجراء واحد خارج المحادثة. لا شيء هنا يكشف هوية أحد: يسجّل Valo معرّفات الأسئلة والخيارات والخدمات والشهر فقط، ومعرّف جلسة عشوائيًا يُنسى عند انتهاء المحادثة، ولا يسجّل شيئًا للعائلات التي اختارت «لا تحسب إجاباتي». الأرقام الأقل من { $threshold } مخفية، وكذلك بعض الأرقام الأكبر عند الحاجة، حتى لا يمكن استنتاج رقم صغير من المجاميع.
report-legend-small = أقل من خمس جلسات (من 0 إلى 4)، مخفي حتى لا يمكن التعرف على أحد
report-legend-protecting = خمس أو أكثر، مخفي حتى لا يمكن استنتاج رقم أقل من خمسة من المجاميع
report-legend-withheld = غير منشور: مجموع عدة أشهر أُخفي جزء أحدها (أو حُسب ضمن «أخرى»)، فأُخفي المجموع أيضًا
report-contents = المحتويات
report-footer = أعدّ Valo هذا التقرير من أحداث مؤشرات مجهولة الهوية. الأرقام أعداد جلسات؛ الأرقام الأقل من خمسة لا تُعرض.
report-total = المجموع
report-no-data = لا توجد جلسات في هذه الفترة.
report-chart-desc = رسم بياني بالأعمدة. الأرقام نفسها في الجدول المجاور؛ الأرقام المخفية معلَّمة ولا تُرسم.
report-chart-months = يعرض الرسم صف المجموع في الجدول شهرًا بشهر.
report-chart-row-totals = يعرض الرسم مجموع كل صف.
report-chart-rate = يعرض الرسم مجموع كل صف و«{ $rate }».

report-other-municipalities = بلديات أخرى
report-municipality-none = غير محددة
report-other-sources = روابط أخرى
report-source-none = بلا رابط (بدأت في البوت)
report-other-services = خدمات أخرى
report-other-topics = مواضيع أخرى
report-locale-none = غير معروفة

report-kind-municipality = البلدية
report-kind-need = الحاجة
report-kind-node = السؤال
report-kind-locale = اللغة
report-kind-source = الرابط
report-kind-service = الخدمة
report-kind-action = الإجراء
report-kind-topic = الموضوع
report-kind-figure = الرقم

report-figure-sessions = المحادثات
report-figure-results = وصلت إلى النتائج
report-figure-no-match = نتائج بلا تطابق
report-figure-finished = اكتملت
report-figure-abandoned = توقفت قبل النهاية

report-column-sessions = الجلسات
report-column-answered = أجابت
report-column-skipped = تخطّت
report-column-left = توقفت هنا
report-column-no-local = لا خدمة في البلدية
report-column-local = وُجدت خدمة في البلدية
report-column-subscribed = اشتركت
report-column-unsubscribed = ألغت الاشتراك

report-action-card_location = سؤال عن موقع خدمة
report-action-card_flagged = إبلاغ عن خطأ في بطاقة
report-action-event_opened = فتح فعالية
report-action-reminder_set = ضبط تذكير
report-action-subscribed = اشتراك في الأخبار
report-action-unsubscribed = إلغاء الاشتراك في الأخبار

report-topic-art = فعاليات فنية
report-topic-open-ecec = التعليم المبكر المفتوح
report-topic-family-cafe = مقاهي الأسرة
report-topic-all = كل شيء

report-rate-funnel = نسبة التوقف
report-rate-gaps-by-need = النسبة بلا خدمة محلية

report-section-sessions = العائلات التي استخدمت Valo
report-section-sessions-about = المحادثات التي بدأت، حسب البلدية التي ذكرتها العائلة وحسب الشهر.
report-section-needs = الاحتياجات
report-section-needs-about = ما قالت العائلات إنه سيسهّل الحياة اليومية. يمكن للعائلة اختيار عدة احتياجات، لذا مجموع الاحتياجات أكبر من عدد المحادثات.
report-section-funnel = الأسئلة والتوقف
report-section-funnel-about = لكل نسخة من كل محادثة: كم جلسة وصلت إلى كل سؤال، وكم منها أجابت عنه أو تخطّته أو توقفت عنده.
report-section-gaps = فجوات الخدمات
report-section-gaps-about = احتياجات لم تضم نتائجها خدمة لها موقع في بلدية العائلة نفسها (ربما عُرضت مع ذلك خدمات إقليمية أو وطنية).
report-section-services = الخدمات المعروضة والبطاقات
report-section-services-about = الخدمات التي عُرضت على العائلات، والبطاقات التي أبلغت العائلات عن خطأ فيها.
report-section-actions = التذكيرات والفعاليات والأخبار
report-section-actions-about = ما فعلته العائلات خارج المحادثات. كل إجراء يُحسب جلسة واحدة.
report-section-reach = اللغات والروابط
report-section-reach-about = لغة المحادثات والرابط الذي جاءت منه العائلة (رابط ملصق أو شريك).

report-table-key-figures = الأرقام الرئيسية
report-table-key-figures-about = محادثات الفترة وكيف انتهت.
report-table-sessions-by-municipality = المحادثات حسب البلدية والشهر
report-table-sessions-by-municipality-about = البلديات التي فيها أقل من خمس محادثات في الفترة محسوبة معًا تحت «بلديات أخرى».
report-table-needs-by-municipality = الاحتياجات حسب البلدية
report-table-needs-by-municipality-about = الجلسات التي اختارت كل حاجة، حسب بلدية العائلة. صف المجموع يحسب اختيارات الاحتياجات.
report-table-needs-by-month = الاحتياجات حسب الشهر
report-table-needs-by-month-about = الجلسات التي اختارت كل حاجة، حسب الشهر. صف المجموع يحسب اختيارات الاحتياجات.
report-table-funnel = المحادثة «{ $tree }»، النسخة { $version }
report-table-funnel-about = الجلسات التي وصلت إلى كل سؤال (المجموع)، وما فعلته عنده. نسبة التوقف هي حصة الجلسات التي توقفت عند السؤال.
report-table-gaps-by-need = الاحتياجات مع خدمة محلية وبدونها
report-table-gaps-by-need-about = الجلسات التي وصلت إلى النتائج لكل حاجة: هل وُجدت خدمة لها موقع في بلديتها.
report-table-gaps-by-municipality = الاحتياجات بلا خدمة محلية حسب البلدية
report-table-gaps-by-municipality-about = الجلسات التي لم تجد لحاجتها خدمة محلية، حسب بلدية العائلة. «غير محددة»: لم تذكر العائلة مكان سكنها.
report-table-services-shown = الخدمات الأكثر عرضًا
report-table-services-shown-about = الجلسات التي عُرضت فيها كل خدمة (حتى 20 خدمة؛ فقط ما عُرض في خمس جلسات على الأقل). تُعرض عدة خدمات في الجلسة، لذا لا يوجد مجموع.
report-table-cards-flagged = البطاقات المبلَّغ عن خطأ فيها
report-table-cards-flagged-about = بلاغات عن معلومات خاطئة في بطاقة خدمة. الخدمات التي لها أقل من خمسة بلاغات محسوبة معًا.
report-table-actions-by-month = الإجراءات حسب الشهر
report-table-actions-by-month-about = التذكيرات والفعاليات المفتوحة والمواقع المطلوبة والبلاغات وتغييرات الاشتراك في الأخبار.
report-table-subscriptions = الاشتراكات في الأخبار حسب الموضوع
report-table-subscriptions-about = الاشتراكات التي فُعّلت أو أُلغيت، حسب الموضوع.
report-table-languages-by-month = اللغات حسب الشهر
report-table-languages-by-month-about = المحادثات حسب اللغة التي استخدمت بها العائلة Valo.
report-table-sources-by-month = الروابط حسب الشهر
report-table-sources-by-month-about = المحادثات حسب الرابط الذي جاءت منه العائلة. الروابط التي جاءت منها أقل من خمس محادثات محسوبة معًا.

## الأمر /stats في البوت (للموظفين فقط)

stats-title = 📊 مؤشرات Valo: { $period } ({ $scope })
stats-sessions = المحادثات: { $sessions }. وصلت إلى النتائج: { $results }. اكتملت: { $finished }.
stats-needs = الاحتياجات الأكثر اختيارًا: { $needs }
stats-gaps = الأكثر افتقارًا إلى خدمة محلية: { $needs }
stats-no-match = نتائج بلا أي تطابق: { $count }
stats-legend = الرمز «<5» يعني أقل من خمسة، والرمز «..» رقم مخفي لحماية رقم صغير؛ لا يمكن التعرف على أحد. التقرير الكامل في الملف.
stats-caption = مؤشرات Valo، { $period }. افتح الملف في المتصفح؛ ويمكن طباعته أيضًا.
stats-bad-period = اكتب أشهرًا كاملة بالصيغة YYYY-MM: الأمر /stats لآخر شهر كامل، أو /stats 2026-03 لشهر واحد، أو /stats 2026-01 2026-06 لفترة (أشهر انتهت، 60 شهرًا على الأكثر، الشهر الأول أولًا).
stats-report-language = ملف التقرير باللغة { $language }: تُعدّ التقارير بالفنلندية والإنجليزية فقط.
