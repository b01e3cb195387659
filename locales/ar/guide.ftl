## إرشاد المختص (/guide، المسألة 25): مسارات الخدمات التي تُسلَّم للعائلات.

cmd-guide = إعداد مسار خدمات مع عائلة

## أسئلة الإرشاد (dialogs/guide.yaml). بقية الأسئلة هي أسئلة /find نفسها.

guide-family-lang = بأي لغة تقرأ العائلة؟ سيكون مسار الخدمات ورابطه والبطاقة المطبوعة بهذه اللغة. الأسئلة التالية بلغتك أنت. وهي موجّهة إلى العائلة: اعرضها عليها أو اقرأها بصوت عالٍ.
guide-lang-fi = الفنلندية
guide-lang-en = الإنجليزية
guide-lang-ar = العربية
guide-results = { $count ->
    [zero] لا توجد خدمات في مسار الخدمات.
    [one] في مسار الخدمات خدمة واحدة.
    [two] في مسار الخدمات خدمتان.
    [few] في مسار الخدمات { $count } خدمات.
    [many] في مسار الخدمات { $count } خدمةً.
   *[other] في مسار الخدمات { $count } خدمة.
}

## المسار قبل تسليمه (بلغة المختص).

guide-preview =
    مسار الخدمات باللغة: { $language }
    { $services }
guide-preview-line = { $number }. { $name }
guide-none = لا توجد خدمة تناسب هذه الإجابات. ابدأ من جديد واختر خيارات أقل، أو تخطَّ بعض الأسئلة.
guide-sensitive-ask = بعض هذه الخدمات لمن يتعرضون للعنف، أو توفر مكانًا آمنًا للإقامة. هل تُطبع هذه الخدمات على البطاقة؟ قد يجد أحدٌ البطاقة المطبوعة في البيت. الرابط يعرضها دائمًا.
guide-print-sensitive = نعم، اطبعها
guide-print-without = لا، لا تطبعها
guide-hand-over = سلِّم المسار للعائلة
guide-restart = ابدأ من جديد
guide-link =
    أعطِ هذا الرابط للعائلة. يفتح مسار الخدمات في Valo حتى { $expires }:
    { $link }
guide-qr-caption = يمكن للعائلة مسح هذا الرمز بكاميرا الهاتف.
guide-print-caption = بطاقة للطباعة من أجل العائلة.
guide-print-without-note = خدمات المساعدة في حالات العنف ودور الإيواء ليست على البطاقة المطبوعة.
guide-answers-removed = /guide: حُذفت الإجابات.
guide-done = ✅ تم التسليم. لم تُحفظ الإجابات: يحتفظ المسار بالخدمات والبلدية واللغة فقط. استخدم /guide لإعداد مسار جديد.
guide-stale = سُلِّم هذا المسار من قبل أو بُدِئ من جديد. استخدم /guide لإعداد مسار جديد.

## المسار كما تراه العائلة (بلغة المسار).

guide-path-title = مسار خدمات أُعدَّ لك. يمكن لهذه الخدمات أن تساعدك:
guide-path-gone = { $count ->
    [zero] كل خدمات هذا المسار ما زالت في Valo.
    [one] خدمة واحدة من هذا المسار لم تعد في Valo.
    [two] خدمتان من هذا المسار لم تعودا في Valo.
    [few] { $count } خدمات من هذا المسار لم تعد في Valo.
    [many] { $count } خدمةً من هذا المسار لم تعد في Valo.
   *[other] { $count } خدمة من هذا المسار لم تعد في Valo.
}
guide-path-events = الفعاليات القادمة لهذه الخدمات:
guide-path-news = 🔔 الأخبار: { $municipality }
guide-path-invalid = عذرًا، هذا الرابط لم يعد يعمل. ربما انتهت صلاحيته. ما زال بإمكانك البحث عن الخدمات بنفسك هنا.

## خطوة في المسار: بماذا تساعد الخدمة، وما الخطوة الأولى.

guide-helps-with = تساعد في: { $needs }
guide-first-call = الخطوة الأولى: اتصل بهم.
guide-first-call-always = الخطوة الأولى: اتصل بهم في أي وقت من الليل أو النهار.
guide-first-call-when = الخطوة الأولى: اتصل بهم { $when }.
guide-first-walk-in = الخطوة الأولى: اذهب إليهم دون موعد.
guide-first-walk-in-when = الخطوة الأولى: اذهب إليهم دون موعد { $when }.
guide-first-book-online = الخطوة الأولى: احجز موعدًا عبر الإنترنت.
guide-first-apply-online = الخطوة الأولى: قدِّم الطلب عبر الإنترنت.
guide-first-chat = الخطوة الأولى: افتح الدردشة.
guide-first-referral = الخطوة الأولى: اطلب إحالة، مثلًا من عيادة الأمومة والطفولة (neuvola).
guide-first-page = الخطوة الأولى: انظر موقع الجهة المنظمة.
guide-when = { $days }، الساعة { $hours }
# Two groups of days with their hours: a comma, so the "and" inside a group stays clear.
guide-when-more = { $first }، { $next }
guide-days-every = كل يوم
guide-days-weekdays = من الاثنين إلى الجمعة
guide-days-list = أيام { $days }
guide-day-mo = الاثنين
guide-day-tu = الثلاثاء
guide-day-we = الأربعاء
guide-day-th = الخميس
guide-day-fr = الجمعة
guide-day-sa = السبت
guide-day-su = الأحد

## المختصون في /staff.

stf-pro-title = عدد المختصين: { $count }
stf-pro-line = • { $who }: منذ { $date }
stf-pro-invite-button = ➕ دعوة مختص
stf-pro-remove-button = ➖ إزالة مختص: { $who }
stf-pro-pending-line = • دعوة مختص: { $who }، أنشأها المعرّف { $by }، يعمل الرابط حتى { $expires }
stf-pro-ask-label = لمن دعوة المختص؟ اكتب اسمه أو ملاحظة قصيرة (يراها الموظفون فقط)، أو تخطَّ.
stf-pro-invite-created =
    ✅ رابط دعوة لمرة واحدة لمختص (المدعو: { $who }):
    { $link }

    يعمل مرة واحدة وتنتهي صلاحيته يوم { $expires }. أرسله لهذا الشخص فقط: كل من يفتحه يستطيع إعداد مسارات الخدمات مع العائلات (/guide).
stf-pro-invite-anyone = المختص الجديد
stf-pro-removed = ✅ أُزيل المختص { $who }: لم يعد يستطيع استخدام /guide. المسارات التي سلّمها تبقى صالحة حتى تنتهي صلاحيتها.
stf-pro-not = لم يعد { $who } مختصًّا.
stf-pro-welcome = 
    ✅ أهلًا بك! يمكنك الآن إعداد مسارات الخدمات مع العائلات.
    مع الأمر /guide تجيب أنت والعائلة عن الأسئلة، ثم تحصل على رابط ورمز QR وبطاقة للطباعة بلغة العائلة.
stf-pro-joined = ✅ قبِل { $who } دعوتك وأصبح مختصًّا.
stf-pro-already = يمكنك استخدام /guide بالفعل. لم يُستخدم رابط الدعوة، فيمكن لشخص آخر أن يستخدمه.

## الخصوصية.

privacy-paths = • مسارات الخدمات: قد يعطيك مختص رابطًا لقائمة خدمات. يحفظ المسار الخدمات والبلدية واللغة فقط: لا اسمك، ولا رقم المستخدم الخاص بك في تيليغرام، ولا إجاباتك الأخرى. لا يعرف أحد هل فتحته. يُحذف المسار عند انتهاء صلاحية الرابط، بعد { $days ->
        [one] يوم واحد
        [two] يومين
        [few] { $days } أيام
        [many] { $days } يومًا
       *[other] { $days } يوم
    }.

## تقرير المؤشرات: مسارات الخدمات (bot/indicators/report.py).

report-section-paths = مسارات الخدمات
report-section-paths-about = مسارات الخدمات التي أعدّها المختصون مع العائلات، وعدد المرات التي فتحتها فيها العائلات. لا شيء يبيّن من أعدّ المسار أو من فتحه. كل إعداد أو فتح يُحسب جلسة واحدة.
report-action-path_created = إعداد مسار خدمات
report-action-path_opened = فتح مسار خدمات
report-column-paths = المسارات
report-table-paths-by-municipality = مسارات الخدمات حسب البلدية
report-table-paths-by-municipality-about = المسارات التي أُعدّت وفُتحت، حسب البلدية التي اختارها المختص للعائلة. البلديات التي فيها أقل من خمسة تُحسب معًا.
report-table-services-on-paths = الخدمات في المسارات
report-table-services-on-paths-about = عدد المسارات المُعدّة التي ظهرت فيها كل خدمة (فقط الخدمات التي ظهرت في خمسة مسارات على الأقل). قد يضم المسار عدة خدمات، لذا لا يوجد مجموع.
