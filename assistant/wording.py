"""Every text the assistant shows a person, in French and English: answer frames, refusals, source
labels, dates, the chat's page, the errors of the API and the chat, a programme's status and a
document's kind as the console shows them, and what each intent of a question asks (the LLM prompt
says it). One home, so a wording changes in one place: one table per language (`MESSAGES`), with the
same keys in both, and an entry for every intent (tests/test_wording.py).

The prompt's rules and section titles, written for the model, are assistant/answering/llm/prompt.py's;
the widget's labels are in its script (assistant/static/widget.js)."""

MONTHS = {
    "fr": "janvier février mars avril mai juin juillet août septembre octobre novembre décembre".split(),
    "en": "January February March April May June July August September October November December".split(),
}

# What replaces an e-mail address or a phone number in a logged question (assistant/store/question_log.py):
# one token whatever the question's language, so a question and its feedback are masked alike.
MASKED = {"email": "[e-mail]", "phone": "[téléphone]"}

MESSAGES = {
    "fr": {
        "according": "D'après {source} ({date}) :",
        "announcement": "le communiqué de la Région Occitanie",
        "programme": "la fiche « {title} »",
        "document": "le document « {title} »",
        "undated": "date non précisée",
        "disagree": "Les sources ne concordent pas : elles sont citées toutes les deux, avec leur date. "
        "Vérifiez auprès de la Région ou d'AD'OCC avant de vous engager.",
        "abstain": "Je ne trouve pas la réponse à cette question dans mes sources : je préfère ne pas "
        "répondre plutôt que d'inventer.",
        "covers": "Mes documents portent sur les dispositifs d'innovation de la Région Occitanie, par exemple : {titles}.",
        "contact": "Pour un cas particulier, voici qui contacter : « {quote} » [{n}]",
        "empty": "La question est vide : posez une question sur les dispositifs d'innovation de la Région.",
        "too_long": "La question est trop longue ({length} caractères ; maximum {limit}). Reformulez-la plus brièvement.",
        "lead_according": ", selon {source}",
        "verdict_no": "Non :",
        "verdict_yes": "Oui :",
        "verdict_unsure": "Les sources ne permettent pas de trancher :",
        "criterion_age": "il faut avoir {phrase}",
        "criterion_staff": "il faut compter {phrase}",
        "criterion_turnover": "le chiffre d'affaires doit être {phrase}",
        "criterion_legal_form": "{phrase}",
        "criterion_other": "{phrase}",
        "criterion_budget": "le projet doit compter {phrase} de dépenses",
        "criterion_partner": "{phrase}",
        "criterion_place": "{phrase}",
        "criterion_short": "{dimension} ({phrase})",
        "conditions": "Conditions de {subject} :",
        "yes_for": "Oui pour {checks}",
        "to_check": "reste à vérifier :",
        "last_known": "dernier état connu :",
        "yours": "(vous : {fact})",
        "besides": "de plus,",
        "closed_note": "le dispositif n'est plus signalé comme disponible",
        "amount_also": "montant :",
        "exception_ruled_out": "l'exception ne vaut pas pour votre cas : {phrase}",
        "exception_unless": "sauf si votre cas est l'exception : {phrase}",
        "dimension_age": "l'âge",
        "dimension_staff": "l'effectif",
        "dimension_turnover": "le chiffre d'affaires",
        "dimension_legal_form": "la forme juridique",
        "dimension_budget": "le budget du projet",
        "dimension_partner": "les partenaires",
        "dimension_place": "l'implantation",
        "dimension_other": "la condition",
        "fact_unit_budget": "€",
        "fact_no_partner": "sans PME partenaire",
        "fact_denied": "vous dites ne pas l'avoir",
        "fact_told": "d'après ce que vous dites",
        "match_opening": "D'après ce que vous indiquez ({facts}) :",
        "compared_absent": "non précisé dans les sources",
        "match_opening_bare": "Selon votre situation :",
        "match_eligible": "probablement éligible :",
        "match_check": "à vérifier :",
        "match_not_eligible": "non éligible :",
        "match_no_innovation": "pour un projet d'innovation",
        "match_closed": "fermé :",
        "match_contact": "Pour un conseil sur votre cas : AD'OCC",
        "fact_unit_age": "ans",
        "fact_unit_staff": "salariés",
        "fact_unit_turnover": "€",
        "asked_amount": "de montant",
        "asked_rate": "de taux",
        "asked_duration": "de durée",
        "asked_count": "de nombre",
        "asked_date": "de date",
        "asked_limit": "de limite",
        "absent": "Les documents ne donnent pas {what} pour {subject} ; voici ce qu'ils en disent :",
        "no_document": "Aucun de mes documents ne décrit « {subject} ».",
        "invalid_json": "Le corps de la requête n'est pas un JSON valide.",
        "history_too_long": "L'historique de la conversation est trop long : {limit} messages au maximum. "
        "Commencez une nouvelle conversation.",
        "bad_role": "Chaque message de l'historique a le rôle « user » ou « assistant ».",
        "bad_rating": "La note est « up » ou « down ».",
        "missing_field": "Champ obligatoire manquant : « {field} ».",
        "field_too_long": "Le champ « {field} » est trop long : {limit} caractères au maximum.",
        "too_many_items": "Le champ « {field} » a trop d'éléments : {limit} au maximum.",
        "bad_format": "Requête invalide : {field} n'a pas le bon format.",
        "field_names": {"question": "la question", "history": "l'historique", "rating": "la note",
                        "citations": "les citations", "messages": "les messages", "": "le corps"},
        "status_400": "Requête invalide.",
        "status_404": "Ressource introuvable.",
        "status_405": "Méthode non autorisée pour cette adresse.",
        "status_other": "Erreur.",
        "internal": "Erreur interne du serveur : la réponse n'a pas pu être produite. Réessayez plus tard.",
        "body_too_large": "Requête trop volumineuse : {limit} octets au maximum.",
        "origin_refused": "Origine non autorisée : {origin}. Ce site n'est pas autorisé à interroger l'assistant.",
        "host_refused": "Nom d'hôte non servi : {host}. Utilisez l'adresse publique de l'assistant.",
        "preflight_refused": "Requête refusée : l'API accepte GET et POST, avec l'en-tête Content-Type.",
        "rate_limited": "Trop de questions : {per_minute} par minute au maximum. Réessayez dans {wait} s.",
        "feedback_limited": "Trop d'avis envoyés : réessayez dans une minute.",
        "feedback_thanks": "Merci pour votre avis.",
        "store_unavailable": "La base de données ne répond pas pour le moment : rien n'a été enregistré. "
        "Réessayez dans quelques minutes.",
        "dense_unavailable": "Recherche par le sens momentanément indisponible : cette réponse s'appuie sur la "
        "seule recherche par mots-clés, elle peut être moins complète.",
        # The Gradio chat (assistant/web/ui.py): its page is French, with English hints; what answers a
        # question (the pending line, the sources, the feedback messages) follows the question's language.
        "chat_title": "Assistant Innovation Occitanie",
        "chat_tagline": "Les dispositifs d'innovation de la Région Occitanie, réponses sourcées",
        "chat_intro": "Posez une question sur les aides, appels à projets et contacts pour innover en Occitanie. "
        "Chaque réponse cite ses sources, avec le passage exact et sa date ; quand les documents ne répondent "
        "pas, l'assistant le dit au lieu d'inventer.",
        "chat_language_hint": "Vous pouvez aussi poser vos questions en français : les réponses suivent votre langue.",
        "chat_examples": "Exemples de questions",
        "example_questions": ("Quel est le budget du dispositif Start-up Industrie de demain ?",
                              "Le Pass Occitanie est-il encore ouvert ?", "Qui contacter pour un projet innovant ?"),
        "chat_conversation": "Conversation",
        "chat_placeholder": "Posez votre question…",
        "chat_send": "Envoyer",
        "chat_new": "Nouvelle conversation",
        "chat_footer": "Réponses extraites de documents publics : vérifiez auprès de la Région Occitanie ou "
        "d'AD'OCC avant de vous engager.",
        "chat_pending": "Recherche dans les sources…",
        "sources_count": "Sources ({count})",
        "source_marker": "Source {n} : {title}",  # the title of a [n] marker, a link to its source
        # Gradio's own texts that its French leaves in English: its keys (gr.I18n, assistant/web/chat_page.py),
        # then the texts it writes in English whatever its language (toasts), which assistant/static/chat.js
        # replaces; how a screen reader names each message (Gradio: "user's message: <its HTML>").
        "gradio_labels": {"chatbot.copy_message": "Copier le message", "chatbot.copied_message": "Message copié"},
        "gradio_texts": {"Connection Lost": "Connexion perdue",
                         "Connection to the server was lost. Attempting reconnection...":
                             "La connexion au serveur est perdue. Nouvelle tentative en cours…",
                         "Error": "Erreur", "Warning": "Attention", "Info": "Information", "Close": "Fermer",
                         "Scroll down": "Aller en bas", "Feedback": "Signaler un problème"},
        "chat_message_labels": {"user": "Votre question", "bot": "Réponse de l'assistant"},
        # Besides the thumbs; the flag chosen is stored as the feedback's reason.
        "feedback_flags": ("Réponse inexacte", "Source manquante", "Hors sujet"),
        # The LLM prompt's analysis (assistant/answering/llm/prompt.py) and the console (assistant/static/admin.js).
        # What each intent of assistant/question/analysis.py asks; "other" says nothing.
        "intents": {"amount": "un montant", "rate": "un taux", "duration": "une durée", "count": "un nombre",
                    "date": "une date", "limit": "une limite (âge, taille)",
                    "contact": "qui contacter ou comment candidater",
                    "eligibility": "si le demandeur y a droit (oui ou non)",
                    "status": "si le dispositif est encore ouvert (oui ou non)",
                    "definition": "ce qu'est le sujet", "conditions": "les conditions pour en bénéficier",
                    "comparison": "une comparaison", "list": "une liste",
                    "matching": "les dispositifs auxquels le demandeur peut prétendre, d'après ce qu'il dit de lui"},
        # A document's front matter: its `status` and its `kind`.
        "programme_status": {"active": "en vigueur", "closed": "clos", "unknown": "non précisé"},
        "document_kinds": {"announcement": "annonce", "programme": "fiche programme"},
        # The OpenAI-compatible API and the MCP server (assistant/web/openai_api.py, assistant/web/mcp_server.py)
        "sources_heading": "Sources :",
        "source_line": "- [{n}] {title} ({date})",
        "source_quote": " : « {quote} »",
        "no_user_message": "La conversation ne contient aucune question : le dernier message à traiter a le "
        "rôle « user » et un texte.",
        "api_key_refused": "Clé d'API manquante ou incorrecte : envoyez l'en-tête « Authorization: Bearer <clé> » "
        "avec une clé fournie par l'administrateur de l'assistant.",
        # A CSV eval set (evals/dataset.py): rows and columns as the spreadsheet numbers and names them
        "eval_csv_no_column": "{path} : pas de colonne « {column} » (colonnes lues : {found}).",
        "eval_csv_no_rows": "{path} : aucune question.",
        "eval_csv_cell": "{path}, ligne {row}, colonne « {column} » : {problem}.",
        "eval_csv_field_limit": "{path}, ligne {row} : une cellule dépasse {limit} caractères.",
        "eval_csv_unreadable": "{path}, ligne {row} : le CSV ne peut pas être lu ({reason}).",
        "eval_too_many": "le jeu compte {count} questions : {limit} au maximum par évaluation (découpez-le).",
        "eval_cell_too_long": "question « {id} », {field} : {length} caractères, {limit} au maximum.",
        "eval_fields": {"question": "la question", "facts": "les faits attendus", "sources": "les sources attendues",
                        "reference": "la réponse attendue", "id": "l'identifiant"},
        "eval_csv_empty": "la question est vide",
        "eval_csv_category": "catégorie inconnue « {value} » (une de : {allowed})",
        "eval_csv_boolean": "« {value} » n'est ni oui ni non",
        "eval_csv_expects_answer": "« oui », mais la catégorie « {category} » attend une réponse "
        "(pour une abstention : out-of-scope ou absent-amount)",
        "eval_csv_expects_abstention": "« non », mais la catégorie « {category} » attend une abstention",
        "eval_csv_unscorable": "ni fait attendu ni source attendue : la réponse ne pourrait pas être notée",
        "eval_csv_duplicate": "l'identifiant « {value} » est déjà celui de la ligne {first}",
        "eval_csv_verdict": "verdict inconnu « {value} » (oui, non ou unsure)",
        "bad_history": "L'historique de la conversation n'a pas le bon format : chaque message a un rôle "
        "« user » ou « assistant » et un texte.",
        # The region's console (assistant/console/routes.py)
        "admin_login_required": "Connexion requise : ouvrez une session avec le jeton d'administration.",
        "admin_bad_token": "Jeton d'administration incorrect.",
        "admin_login_limited": "Trop de tentatives de connexion : réessayez dans {wait} s.",
        "admin_csrf": "Jeton anti-CSRF manquant ou incorrect : rechargez la page de la console.",
        "admin_cross_origin": "La console n'accepte que les requêtes de sa propre origine.",
        "admin_logged_out": "Session fermée.",
        "upload_bad_name": "Nom de fichier invalide : « {name} ».",
        "upload_type": "Type de fichier non accepté : « {suffix} » (acceptés : {allowed}).",
        "upload_too_large": "Fichier trop volumineux : {size} octets, {limit} au maximum.",
        "upload_bad_folder": "Dossier inconnu dans le corpus : « {folder} ».",
        "upload_exists": "Le document « {source} » existe déjà : choisissez « Remplacer » pour le mettre à jour.",
        "upload_unreadable": "Ce fichier ne peut pas être indexé : {reason}.",
        "upload_reader_memory": "Ce fichier ne peut pas être indexé : sa lecture demande plus de {limit} Mo de mémoire "
                                "(un fichier compressé piégé, ou un document à découper).",
        "upload_reader_time": "Ce fichier ne peut pas être indexé : sa lecture prend plus de {limit} s "
                              "(un document à découper ou à simplifier).",
        "upload_content": "Le fichier « {name} » n'est pas un fichier {suffix} : il contient {kind}. Enregistrez-le "
        "au bon format, ou donnez-lui l'extension qui correspond.",
        # What a file holds (assistant/ingest/file_types.py), for a refusal that says so
        "file_kinds": {"pdf": "un PDF", "docx": "un document Word (.docx)", "xlsx": "un classeur Excel (.xlsx)",
                       "pptx": "une présentation PowerPoint (.pptx)", "odf": "un document OpenDocument (.odt, .ods, .odp)",
                       "zip": "une archive ZIP", "ole": "un ancien document Office (.doc, .xls, .ppt)",
                       "rtf": "un document RTF", "image": "une image", "executable": "un programme",
                       "archive": "une archive compressée", "binary": "des données binaires", "text": "du texte"},
        "upload_other_type": "Le remplaçant de « {source} » doit être un fichier {suffix}.",
        "document_missing": "Aucun document « {source} » dans le corpus.",
        "link_outside": "« {path} » est un lien symbolique qui mène hors du corpus : la console n'écrit, ne "
        "remplace ni ne supprime rien à travers lui.",
        "link_inside": "« {path} » est un lien symbolique : la console n'écrit, ne remplace ni ne supprime qu'à "
        "travers les dossiers du corpus eux-mêmes (choisissez le dossier vers lequel il pointe).",
        "name_nul": "Nom de fichier invalide : « {name} » contient un caractère nul.",
        "name_too_long": "Nom de fichier trop long : « {name} » fait {size} octets une fois encodé en UTF-8, "
        "{limit} au maximum. Raccourcissez-le.",
        "reindex_running": "Une réindexation est déjà en cours.",
        "eval_running": "Une évaluation est déjà en cours.",
        "eval_none_running": "Aucune évaluation en cours.",
        "eval_cancelling": "L'évaluation s'arrête après la question en cours.",
        "eval_bad_set": "Jeu d'évaluation invalide : {reason}",
        "eval_empty": "Le jeu d'évaluation ne contient aucune question.",
        "review_unscorable": "Indiquez au moins un fait ou une source que la réponse devait contenir, ou cochez "
                             "« L'assistant aurait dû s'abstenir » : sans cela l'évaluation ne peut pas la noter.",
        "review_empty": "Aucune réponse signalée pour l'instant : ouvrez une question et signalez-la comme fausse.",
    },
    "en": {
        "according": "According to {source} ({date}):",
        "announcement": "the Région Occitanie press release",
        "programme": "the « {title} » sheet",
        "document": "the document « {title} »",
        "undated": "undated",
        "disagree": "The sources disagree: both are quoted, with their dates. Check with the Region or AD'OCC "
        "before relying on either.",
        "abstain": "I cannot find the answer to this question in my sources, so I would rather not answer "
        "than make something up.",
        "covers": "My documents cover the Région Occitanie innovation programmes, for example: {titles}.",
        "contact": "For a specific case, here is who to contact: « {quote} » [{n}]",
        "empty": "The question is empty: ask about the Region's innovation programmes.",
        "too_long": "The question is too long ({length} characters; limit {limit}). Please shorten it.",
        "lead_according": ", according to {source}",
        "verdict_no": "No:",
        "verdict_yes": "Yes:",
        "verdict_unsure": "The sources do not settle it:",
        "criterion_age": "the company must be {phrase} old",
        "criterion_staff": "the company must have {phrase}",
        "criterion_turnover": "turnover must be {phrase}",
        "criterion_legal_form": "{phrase}",
        "criterion_other": "required: {phrase}",
        "criterion_budget": "the project must have {phrase} of expenses",
        "criterion_partner": "{phrase}",
        "criterion_place": "required: {phrase}",
        "criterion_short": "{dimension} ({phrase})",
        "conditions": "Conditions for {subject}:",
        "yes_for": "Yes for {checks}",
        "to_check": "still to check:",
        "last_known": "last known:",
        "yours": "(yours: {fact})",
        "besides": "besides,",
        "closed_note": "the scheme is no longer listed as available",
        "amount_also": "amount:",
        "exception_ruled_out": "the exception does not apply to your case: {phrase}",
        "exception_unless": "unless your case is the exception: {phrase}",
        "dimension_age": "age",
        "dimension_staff": "staff",
        "dimension_turnover": "turnover",
        "dimension_legal_form": "legal form",
        "dimension_budget": "the project's budget",
        "dimension_partner": "partners",
        "dimension_place": "location",
        "dimension_other": "the requirement",
        "fact_unit_budget": "€",
        "fact_no_partner": "no SME partner",
        "fact_denied": "you say you do not",
        "fact_told": "from what you say",
        "match_opening": "From what you say ({facts}):",
        "compared_absent": "not stated in the sources",
        "match_opening_bare": "Depending on your situation:",
        "match_eligible": "likely eligible:",
        "match_check": "to check:",
        "match_not_eligible": "not eligible:",
        "match_no_innovation": "for an innovation project",
        "match_closed": "closed:",
        "match_contact": "For advice on your case: AD'OCC",
        "fact_unit_age": "years",
        "fact_unit_staff": "employees",
        "fact_unit_turnover": "€",
        "asked_amount": "an amount",
        "asked_rate": "a rate",
        "asked_duration": "a duration",
        "asked_count": "a number",
        "asked_date": "a date",
        "asked_limit": "a limit",
        "absent": "The documents do not give {what} for {subject}; here is what they say about it:",
        "no_document": "None of my documents describes \"{subject}\".",
        "invalid_json": "The request body is not valid JSON.",
        "history_too_long": "The conversation history is too long: {limit} messages at most. Start a new conversation.",
        "bad_role": "Each message of the history has the role \"user\" or \"assistant\".",
        "bad_rating": "The rating is \"up\" or \"down\".",
        "missing_field": "Missing required field: \"{field}\".",
        "field_too_long": "The field \"{field}\" is too long: {limit} characters at most.",
        "too_many_items": "The field \"{field}\" has too many items: {limit} at most.",
        "bad_format": "Invalid request: {field} is not in the right format.",
        "field_names": {"question": "the question", "history": "the history", "rating": "the rating",
                        "citations": "the citations", "messages": "the messages", "": "the body"},
        "status_400": "Invalid request.",
        "status_404": "Not found.",
        "status_405": "Method not allowed for this address.",
        "status_other": "Error.",
        "internal": "Internal server error: the answer could not be produced. Please try again later.",
        "body_too_large": "Request too large: {limit} bytes at most.",
        "origin_refused": "Origin not allowed: {origin}. This site may not query the assistant.",
        "host_refused": "Host name not served: {host}. Use the assistant's public address.",
        "preflight_refused": "Request refused: the API takes GET and POST, with the Content-Type header.",
        "rate_limited": "Too many questions: {per_minute} per minute at most. Try again in {wait} s.",
        "feedback_limited": "Too much feedback sent: try again in a minute.",
        "feedback_thanks": "Thank you for your feedback.",
        "store_unavailable": "The database is not answering at the moment: nothing was saved. "
        "Please try again in a few minutes.",
        "dense_unavailable": "Search by meaning is unavailable for the moment: this answer relies on keyword "
        "search alone and may be less complete.",
        "chat_title": "Occitanie Innovation Assistant",
        "chat_tagline": "The Région Occitanie innovation programmes, with sourced answers",
        "chat_intro": "Ask about the grants, calls for projects and contacts for innovating in Occitanie. "
        "Every answer cites its sources, with the exact passage and its date; when the documents do not "
        "answer, the assistant says so instead of making something up.",
        "chat_language_hint": "You can also ask in English: answers follow your language.",
        "chat_examples": "Example questions",
        "example_questions": ("What is the Occitanie AI plan?",),
        "chat_conversation": "Conversation",
        "chat_placeholder": "Ask your question…",
        "chat_send": "Send",
        "chat_new": "New conversation",
        "chat_footer": "Answers drawn from public documents: check with the Région Occitanie or AD'OCC before "
        "relying on them.",
        "chat_pending": "Searching the sources…",
        "sources_count": "Sources ({count})",
        "source_marker": "Source {n}: {title}",
        "gradio_labels": {"chatbot.copy_message": "Copy message", "chatbot.copied_message": "Copied message"},
        "gradio_texts": {"Connection Lost": "Connection lost",
                         "Connection to the server was lost. Attempting reconnection...":
                             "Connection to the server was lost. Trying to reconnect…",
                         "Error": "Error", "Warning": "Warning", "Info": "Information", "Close": "Close",
                         "Scroll down": "Scroll down", "Feedback": "Report a problem"},
        "chat_message_labels": {"user": "Your question", "bot": "The assistant's answer"},
        "feedback_flags": ("Inaccurate answer", "Missing source", "Off topic"),
        "intents": {"amount": "an amount", "rate": "a rate", "duration": "a duration", "count": "a number",
                    "date": "a date", "limit": "a limit (age, size)", "contact": "whom to contact or how to apply",
                    "eligibility": "whether the asker qualifies (yes or no)",
                    "status": "whether the scheme is still open (yes or no)",
                    "definition": "what the subject is", "conditions": "the conditions to benefit from it",
                    "comparison": "a comparison", "list": "a list",
                    "matching": "which programmes the asker may be entitled to, from what they say of themselves"},
        "programme_status": {"active": "active", "closed": "closed", "unknown": "not stated"},
        "document_kinds": {"announcement": "announcement", "programme": "programme sheet"},
        "sources_heading": "Sources:",
        "source_line": "- [{n}] {title} ({date})",
        "source_quote": ": “{quote}”",
        "no_user_message": "The conversation has no question: the last message to answer has the role \"user\" "
        "and a text.",
        "api_key_refused": "Missing or wrong API key: send the header \"Authorization: Bearer <key>\" with a key "
        "from the assistant's administrator.",
        "eval_csv_no_column": "{path}: no \"{column}\" column (columns read: {found}).",
        "eval_csv_no_rows": "{path}: no questions.",
        "eval_csv_cell": "{path}, row {row}, column \"{column}\": {problem}.",
        "eval_csv_field_limit": "{path}, row {row}: a cell is longer than {limit} characters.",
        "eval_csv_unreadable": "{path}, row {row}: the CSV cannot be read ({reason}).",
        "eval_too_many": "the set has {count} questions: {limit} at most per evaluation (split it).",
        "eval_cell_too_long": "question \"{id}\", {field}: {length} characters, {limit} at most.",
        "eval_fields": {"question": "the question", "facts": "the expected facts", "sources": "the expected sources",
                        "reference": "the expected answer", "id": "the id"},
        "eval_csv_empty": "the question is empty",
        "eval_csv_category": "unknown category \"{value}\" (one of: {allowed})",
        "eval_csv_boolean": "\"{value}\" is neither yes nor no",
        "eval_csv_expects_answer": "\"yes\", but the category \"{category}\" expects an answer "
        "(for an abstention: out-of-scope or absent-amount)",
        "eval_csv_expects_abstention": "\"no\", but the category \"{category}\" expects an abstention",
        "eval_csv_unscorable": "no expected fact and no expected source: the answer could not be scored",
        "eval_csv_duplicate": "the id \"{value}\" is already row {first}'s",
        "eval_csv_verdict": "unknown verdict \"{value}\" (yes, no or unsure)",
        "bad_history": "The conversation history is malformed: each message has a role, \"user\" or \"assistant\", "
        "and a text.",
        # The region's console (assistant/console/routes.py)
        "admin_login_required": "Login required: open a session with the admin token.",
        "admin_bad_token": "Wrong admin token.",
        "admin_login_limited": "Too many login attempts: try again in {wait} s.",
        "admin_csrf": "Missing or wrong anti-CSRF token: reload the console page.",
        "admin_cross_origin": "The console only accepts requests from its own origin.",
        "admin_logged_out": "Logged out.",
        "upload_bad_name": "Invalid file name: \"{name}\".",
        "upload_type": "File type not accepted: \"{suffix}\" (accepted: {allowed}).",
        "upload_too_large": "File too large: {size} bytes, {limit} at most.",
        "upload_bad_folder": "Unknown corpus folder: \"{folder}\".",
        "upload_exists": "The document \"{source}\" already exists: choose \"Replace\" to update it.",
        "upload_unreadable": "This file cannot be indexed: {reason}.",
        "upload_reader_memory": "This file cannot be indexed: reading it needs more than {limit} MB of memory "
                                "(a compressed bomb, or a document to split).",
        "upload_reader_time": "This file cannot be indexed: reading it takes more than {limit} s "
                              "(a document to split or simplify).",
        "upload_content": "The file \"{name}\" is not a {suffix} file: it holds {kind}. Save it in the right format, "
        "or give it the extension that matches.",
        "file_kinds": {"pdf": "a PDF", "docx": "a Word document (.docx)", "xlsx": "an Excel workbook (.xlsx)",
                       "pptx": "a PowerPoint presentation (.pptx)", "odf": "an OpenDocument file (.odt, .ods, .odp)",
                       "zip": "a ZIP archive", "ole": "an old Office document (.doc, .xls, .ppt)",
                       "rtf": "an RTF document", "image": "an image", "executable": "a program",
                       "archive": "a compressed archive", "binary": "binary data", "text": "text"},
        "upload_other_type": "The replacement of \"{source}\" must be a {suffix} file.",
        "document_missing": "No document \"{source}\" in the corpus.",
        "link_outside": "\"{path}\" is a symbolic link that leads out of the corpus: the console writes, replaces "
        "and removes nothing through it.",
        "link_inside": "\"{path}\" is a symbolic link: the console writes, replaces and removes only through the "
        "corpus's own folders (choose the folder it points to).",
        "name_nul": "Invalid file name: \"{name}\" contains a NUL character.",
        "name_too_long": "File name too long: \"{name}\" takes {size} bytes in UTF-8, {limit} at most. Shorten it.",
        "reindex_running": "A re-index is already running.",
        "eval_running": "An evaluation is already running.",
        "eval_none_running": "No evaluation is running.",
        "eval_cancelling": "The evaluation stops after the question under way.",
        "eval_bad_set": "Invalid evaluation set: {reason}",
        "eval_empty": "The evaluation set has no question.",
        "review_unscorable": "Give at least one fact or source the answer should have held, or tick \"The assistant "
                             "should have declined\": without it the evaluation cannot score it.",
        "review_empty": "No answer marked wrong yet: open a question and mark it wrong.",
    },
}


LANGUAGES = tuple(MESSAGES)  # ("fr", "en"): French, the default, first


def message(language: str, key: str, **values) -> str:
    return words(language, key).format(**values)


def words(language: str, key: str):
    """The entry `key` in `language`'s table (French for another language), as it is: a sentence to
    format, or a table or list of words ("programme_status", "example_questions")."""
    return MESSAGES.get(language, MESSAGES["fr"])[key]


def eval_field(language: str, field: str) -> str:
    """How a refusal names a field of an eval set: "la réponse attendue"."""
    return MESSAGES.get(language, MESSAGES["fr"])["eval_fields"].get(field, field)


def file_kind(language: str, kind: str) -> str:
    """How a refusal names what a file holds: "un PDF", "des données binaires"."""
    return MESSAGES.get(language, MESSAGES["fr"])["file_kinds"][kind]


def field_name(language: str, field: str) -> str:
    """How an error names a request field: "la question"; an unknown one is shown quoted."""
    names = words(language, "field_names")
    return names.get(field, f"« {field} »" if language != "en" else f'"{field}"')


def intent_wording(language: str, intent: str) -> str | None:
    """What a question of `intent` (assistant/question/analysis.py) asks, in words: "un montant"; None
    for "other", which says nothing."""
    return words(language, "intents").get(intent)


def programme_status(language: str, status: str | None) -> str:
    """A document's front-matter status in words: "active" -> "en vigueur"; another value as it is."""
    return words(language, "programme_status").get(status or "unknown", status)


def human_date(iso: str | None, language: str) -> str:
    """'2024-05-22' -> 'mai 2024' / 'May 2024'; a partial or unknown date is shown as it is."""
    if not iso:
        return message(language, "undated")
    parts = iso.split("-")
    if len(parts) >= 2 and parts[0].isdigit() and parts[1].isdigit() and 1 <= int(parts[1]) <= 12:
        month = MONTHS.get(language, MONTHS["fr"])[int(parts[1]) - 1]
        return f"{month} {parts[0]}"
    return iso


def source_label(kind: str | None, title: str, language: str) -> str:
    key = kind if kind in ("announcement", "programme") else "document"
    return message(language, key, title=title)
