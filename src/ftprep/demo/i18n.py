"""Non-English support conversations (French, German, Chinese, Japanese).

Each entry is ``(category, lang, turns)`` where ``turns`` are ``(user, assistant)`` pairs of
``str.format`` templates over the usual slots (dates in the language's own form: ``{date_fr}``,
``{eta_de}``, ``{eta_zh}``...). The system prompt stays the English one, as in real
multilingual deployments; the assistant answers in the customer's language.
"""

from __future__ import annotations

ForeignChat = tuple[str, str, tuple[tuple[str, str], ...]]

#: Month and weekday names (Monday first) for the localized date slots.
MONTHS_FR = (
    "janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre",
    "octobre", "novembre", "décembre",
)  # fmt: skip
WEEKDAYS_FR = ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche")
MONTHS_DE = (
    "Januar", "Februar", "März", "April", "Mai", "Juni", "Juli", "August", "September",
    "Oktober", "November", "Dezember",
)  # fmt: skip
WEEKDAYS_DE = ("Montag", "Dienstag", "Mittwoch", "Donnerstag", "Freitag", "Samstag", "Sonntag")
WEEKDAYS_ZH = ("周一", "周二", "周三", "周四", "周五", "周六", "周日")

FOREIGN_CHATS: tuple[ForeignChat, ...] = (
    ("shipping", "fr", (
        ("Bonjour, ma commande {order_id} devait arriver le {date_fr} et je n'ai toujours rien reçu.",
         "Bonjour {name}, merci pour votre patience. Votre colis est en transit chez {carrier} (numéro de suivi {tracking}) et la livraison est maintenant prévue pour le {eta_fr}. Si rien n'a bougé d'ici là, nous vous enverrons un remplacement sans frais."),
        ("D'accord, merci beaucoup !",
         "Avec plaisir ! Vous recevrez une confirmation à {email} dès que le colis sera livré. Bonne journée !"),
    )),
    ("billing", "fr", (
        ("J'ai été débité deux fois de {amount} pour la commande {order_id}. Pouvez-vous vérifier ?",
         "Merci de nous l'avoir signalé. Le second débit est une pré-autorisation qui disparaîtra d'elle-même sous 3 à 5 jours ouvrés ; seul un paiement de {amount} sera encaissé. Si les deux apparaissent encore après le {eta_fr}, répondez-moi et je rembourse le doublon immédiatement."),
        ("Merci, c'est très clair.",
         "Je vous en prie, {name} ! N'hésitez pas à revenir vers nous si le doublon n'a pas disparu d'ici le {eta_fr}."),
    )),
    ("account", "de", (
        ("Hallo, ich bekomme keine E-Mail zum Zurücksetzen meines Passworts. Meine Adresse ist {email}.",
         "Hallo {name}, die E-Mail kommt von no-reply@example.com und kann ein paar Minuten dauern. Bitte schauen Sie auch im Spam-Ordner nach. Ich habe Ihnen soeben einen neuen Link geschickt, der 30 Minuten gültig ist."),
        ("Jetzt hat es geklappt, danke!",
         "Sehr gern! Tipp: Unter Konto > Sicherheit können Sie die Zwei-Faktor-Anmeldung aktivieren, damit Ihr Konto noch besser geschützt ist."),
    )),
    ("shipping", "de", (
        ("Wo ist meine Bestellung {order_id}? Laut Sendungsverfolgung bewegt sich seit Tagen nichts.",
         "Danke für Ihre Geduld. Ihre Bestellung ist mit {carrier} unterwegs (Sendungsnummer {tracking}). Nicht jeder Zwischenstopp wird gescannt, daher wirkt die Verfolgung manchmal eingefroren. Die voraussichtliche Zustellung ist am {eta_de}."),
        ("Kann das Paket auch bei meinem Nachbarn abgegeben werden?",
         "Ja, das können Sie direkt bei {carrier} mit der Sendungsnummer {tracking} einstellen. Nach dem Versand können wir die Zustellung leider nicht mehr ändern."),
    )),
    ("shipping", "zh", (
        ("你好，我的订单 {order_id} 还没有到，预计是 {date_zh} 送达的。",
         "您好，{name}！您的包裹正在由 {carrier} 运送中，运单号是 {tracking}，预计 {eta_zh} 送达。如果到时还没有更新，我们会免费为您补发。"),
        ("好的，谢谢！",
         "不客气！包裹送达后，我们会发送确认邮件到 {email}。祝您生活愉快！"),
    )),
    ("billing", "zh", (
        ("请问订单 {order_id} 可以开发票吗？公司报销需要。",
         "可以的。您可以在“我的订单 > {order_id} > 下载发票”中下载 PDF 发票。如需添加公司名称或税号，请先在“账户 > 账单信息”中保存，然后重新下载即可。"),
        ("发票上可以写公司抬头吗？",
         "可以。在“账户 > 账单信息”中填写公司名称和税号并保存后，重新下载的发票 {invoice_id} 就会显示公司抬头。"),
    )),
    ("tech_support", "ja", (
        ("アプリのバージョン {app_version} に更新してから、{device} で起動するとすぐに落ちてしまいます。",
         "ご不便をおかけしております。お手数ですが、アプリを最新版に更新し、{device} を再起動してください。それでも改善しない場合は、一度ログアウトして再度ログインすると、キャッシュされたデバイス一覧がクリアされます。"),
        ("再ログインしたら直りました。ありがとうございます！",
         "解決してよかったです！ほかにお困りのことがあれば、いつでもお気軽にご連絡ください。"),
    )),
    ("shipping", "ja", (
        ("注文番号 {order_id} の {product} を返品したいのですが、どうすればいいですか？",
         "返品は到着から30日以内であれば可能です。「注文履歴 > {order_id} > 返品する」から返品ラベルを発行し、{carrier} の窓口にお持ちください。倉庫に到着後、2営業日以内に {amount} を返金いたします。"),
        ("返品ラベルはメールでも届きますか？",
         "はい、返品ラベルは {email} 宛てにもお送りします。届かない場合は迷惑メールフォルダもご確認ください。"),
    )),
)  # fmt: skip
