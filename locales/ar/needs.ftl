## البحث عن خدمات: أسئلة احتياجات العائلة (dialogs/needs.yaml) ونصوص محرّك الحوار.

menu-find = 🔎 ابحث عن خدمات لعائلتي
cmd-find = البحث عن خدمات لعائلتي

## محرّك الحوار: التقدّم والأزرار والملاحظات.

flow-progress =
    السؤال { $current } من { $total ->
        [zero] { $total } سؤال
        [one] سؤال واحد
        [two] سؤالين
        [few] { $total } أسئلة
        [many] { $total } سؤالًا
       *[other] { $total } سؤال
    }
flow-progress-last = السؤال الأخير ({ $current } من { $total })
flow-progress-most = السؤال { $current }، وعدد الأسئلة { $total } على الأكثر
flow-progress-open = السؤال { $current }
flow-multi-hint = اختر كل ما يناسبك، ثم اضغط «تم».
flow-done = ✅ تم
flow-skip = أفضّل ألّا أقول
flow-skip-plain = تخطَّ السؤال
flow-back = ⬅️ رجوع
flow-restart = 🔄 ابدأ من جديد
flow-page-prev = ▶️ السابق
flow-page-next = التالي ◀️
flow-yes = نعم
flow-no = لا
flow-continue = متابعة
flow-more = ➕ خدمات أخرى
flow-browse = 📋 تصفّح كل الخدمات
flow-events-near = 🎨 فعاليات قريبة مني
flow-results-next = ماذا تريد أن تفعل الآن؟
flow-stale = هذا الزر من سؤال سابق. إليك أين وصلنا الآن.
flow-updated = تغيّرت الأسئلة قليلًا، لذلك سنبدأ من جديد.
flow-choose-one = يُرجى اختيار خيار واحد على الأقل.

## بلديات جنوب شرق فنلندا حسب أرقامها الرسمية.

municipality-285 = كوتكا
municipality-075 = هامينا
municipality-286 = كوفولا
municipality-624 = بيهتا
municipality-935 = فيرولاهتي
municipality-489 = ميهيكالا
municipality-405 = لابينرانتا
municipality-153 = إيماترا
municipality-441 = لوماكي
municipality-416 = ليمي
municipality-739 = سافيتايبالي
municipality-831 = تايبالساري
municipality-689 = راوتيارفي
municipality-700 = رووكولاهتي
municipality-580 = باريكالا

## احتياجات العائلة.

needs-where =
    كل عائلة تحتاج إلى يد العون أحيانًا. أجب عن بضعة أسئلة قصيرة، وسأقترح عليك خدمات قريبة منك. يمكنك تخطّي أي سؤال.

    أين تعيش عائلتك؟
needs-ages = كم عمر أطفالك؟ إذا كنتم تنتظرون مولودًا، فاختر ذلك أيضًا.
needs-age-expecting = 🤰 ننتظر مولودًا
needs-age-under-1 = أقل من سنة
needs-age-1-2 = من سنة إلى سنتين
needs-age-3-5 = من 3 إلى 5 سنوات
needs-age-6-12 = من 6 إلى 12 سنة
needs-age-13-17 = من 13 إلى 17 سنة

needs-help = ما الذي قد يجعل الحياة اليومية أسهل الآن؟
needs-help-talk = 💬 شخص أتحدث معه عن تربية الأطفال
needs-help-daycare = 🧸 روضة أو تعليم مبكر مفتوح
needs-help-activities = 🎨 أنشطة وفنون للأطفال
needs-help-money = 💶 المال والإعانات
needs-help-home = 🏠 التعب والمساعدة في المنزل
needs-help-families = 👋 التعرّف على عائلات أخرى
needs-help-finnish = 🗣 اللغة الفنلندية والاستقرار
needs-help-urgent = 🆘 أمر عاجل

needs-home = شكرًا لأنك أخبرتني. ما الذي يجعل الأمور صعبة في المنزل الآن؟
needs-home-baby = 👶 مولود جديد في العائلة
needs-home-illness = 🤒 مرض أو إرهاق
needs-home-hard-times = 🌧 انفصال أو ظرف صعب آخر

needs-free = هل تريد أن أعرض الخدمات المجانية فقط؟

needs-languages = ما اللغات التي ترتاح لاستخدامها مع الخدمة؟
needs-lang-fi = الفنلندية (suomi)
needs-lang-sv = السويدية (svenska)
needs-lang-en = الإنجليزية (English)
needs-lang-ar = العربية
needs-lang-ru = الروسية (русский)
needs-lang-uk = الأوكرانية (українська)
needs-lang-so = الصومالية (Soomaali)
needs-lang-fa = الفارسية (فارسی)
needs-lang-et = الإستونية (eesti)

needs-results =
    { $count ->
        [zero] لم أجد خدمات تناسب هذه الإجابات. يمكنك تصفّح كل الخدمات أو البدء من جديد.
        [one] وجدتُ خدمة واحدة قد تساعد عائلتك.
        [two] وجدتُ خدمتين قد تساعدان عائلتك.
        [few] وجدتُ { $count } خدمات قد تساعد عائلتك. الأنسب يأتي أولًا.
        [many] وجدتُ { $count } خدمةً قد تساعد عائلتك. الأنسب يأتي أولًا.
       *[other] وجدتُ { $count } خدمة قد تساعد عائلتك. الأنسب يأتي أولًا.
    }
