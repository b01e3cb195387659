## دليل الخدمات: الاحتياجات، الأسباب، البطاقات، التصفح.

need-pregnancy-baby = الحمل والمولود الجديد
need-child-health = صحة الطفل
need-parenting-support = الدعم في تربية الأطفال
need-early-education = الروضة والتعليم المبكر
need-leisure-art = أنشطة وفنون للأطفال
need-money-benefits = المال والإعانات
need-home-help = المساعدة في البيت
need-peer-support = لقاء عائلات أخرى
need-integration-language = اللغة الفنلندية والاستقرار
need-relationship-separation = العلاقة مع الشريك والانفصال
need-mental-health = الصحة النفسية
need-crisis-urgent = مساعدة عاجلة

reason-needs = ما سألت عنه: { $needs }
# A name quoted inside a sentence or list (need names in the needs reason).
quoted = «{ $text }»
reason-local = في { $municipality }
reason-regional = يخدم { $municipality }
reason-nationwide = متاح في كل أنحاء فنلندا
reason-ages = للأطفال بعمر { $min }–{ $max }
reason-expecting = للعائلات التي تنتظر مولودًا
reason-child-age = للأطفال بعمر { $age }
reason-around-the-clock = يجيب على مدار الساعة
reason-call = يمكنك الاتصال بهم
reason-chat = يمكنك الدردشة معهم عبر الإنترنت
reason-free = مجاني
reason-language = باللغة { $language }
reason-interpreter = يمكن توفير مترجم
reason-walk-in = يمكنك الحضور دون موعد

access-walk-in = احضر مباشرة
access-call = اتصل
access-chat = تحدّث عبر الدردشة على الإنترنت
access-book-online = احجز موعدًا عبر الإنترنت
access-apply-online = قدّم طلبًا عبر الإنترنت
access-referral = بإحالة من جهة مختصة

card-why = لماذا يناسبك هذا:
card-how = كيف تحصل على الخدمة: { $how }
card-how-page = كيف تحصل على الخدمة: معلومات التواصل موجودة على موقع الجهة المنظِّمة (في الأسفل)
card-cost-free = التكلفة: مجانية
card-cost-fee = التكلفة: برسوم
card-cost-income-based = التكلفة: حسب دخلك
card-languages = اللغات: { $languages }
card-interpreter = يمكن توفير مترجم.
card-address = العنوان: { $place }، { $address }
card-place = المكان: { $place }، { $town }
card-place-named = المكان: { $place }
card-hours-today = مفتوح اليوم: { $hours }
card-closed-today = مغلق اليوم
card-phone = الهاتف: { $phone }
card-phone-always = يجيب الهاتف على مدار الساعة.
card-phone-today = يجيب الهاتف اليوم: { $hours }
card-phone-closed-today = الهاتف لا يجيب اليوم.
card-chat = الدردشة: { $url }
card-chat-always = الدردشة مفتوحة على مدار الساعة.
card-chat-today = الدردشة مفتوحة اليوم: { $hours }
card-chat-closed-today = الدردشة مغلقة اليوم.
card-email = البريد الإلكتروني: { $email }
card-website = الموقع: { $url }
card-untranslated = هذا النص غير متوفر بالعربية بعد، لذلك يظهر بلغة أخرى.
card-location = 📍 عرض على الخريطة
card-flag = ⚠️ هل هناك خطأ في المعلومات؟
card-flag-ask = ما الخطأ في هذه المعلومات؟
card-flag-closed = الخدمة توقفت
card-flag-phone = رقم الهاتف غير صحيح
card-flag-hours = أوقات العمل غير صحيحة
card-flag-other = شيء آخر
card-flag-thanks = شكرًا لك! سنتحقق من الأمر. بلاغك مجهول الهوية.

language-name-fi = الفنلندية
language-name-sv = السويدية
language-name-en = الإنجليزية
language-name-ar = العربية
language-name-ru = الروسية
language-name-so = الصومالية
language-name-fa = الفارسية
language-name-uk = الأوكرانية
language-name-et = الإستونية
language-name-ku = الكردية
language-name-tr = التركية
language-name-vi = الفيتنامية
language-name-th = التايلاندية
language-name-zh = الصينية
language-name-es = الإسبانية
language-name-de = الألمانية
language-name-fr = الفرنسية

category-health = الصحة وعيادات الأمومة والطفولة
category-early-education = الروضة والتعليم المبكر
category-family-support = دعم العائلات
category-leisure = الثقافة والفن ووقت الفراغ
category-peer = مجموعات الأقران والمتطوعون
category-money = المال والإعانات
category-integration = اللغة الفنلندية والاستقرار
category-crisis = الأزمات والأمان

menu-services = 📚 تصفح كل الخدمات
services-choose-municipality = أين تسكن؟ اختر بلديتك.
services-all-municipalities = 🇫🇮 كل فنلندا
services-choose-category = ما نوع الخدمة التي تبحث عنها؟
services-found = { $count ->
    [zero] لا توجد خدمات:
    [one] خدمة واحدة:
    [two] خدمتان:
    [few] { $count } خدمات:
    [many] { $count } خدمة:
   *[other] { $count } خدمة:
}
services-none = لم نجد خدمات هنا بعد. جرّب موضوعًا آخر أو «كل فنلندا».
services-more = المزيد ◀
services-previous = ▶ رجوع
services-change-municipality = 📍 تغيير البلدية
services-change-category = 🗂 مواضيع أخرى
services-unknown = عذرًا، لم أعد أجد هذه الخدمة. إليك القائمة مرة أخرى.

match-none =
    لم أجد خدمة تناسب كل إجاباتك. هذه الجهات تساعد الجميع:
    • مركز الأسرة أو عيادة الأمومة والطفولة (neuvola) القريبة منك،
    • خط الأزمات (MIELI) في أي وقت: 09 2525 0111،
    • في حالات الطوارئ اتصل بالرقم 112.
