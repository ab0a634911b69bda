// The texts behind `teapot explain` and the error pages. Written for this project in plain
// words: what happened, then what the client can do. French titles are real French titles, not
// translations of the English reason phrases word for word.
#include "http/status_descriptions.h"

#include <algorithm>
#include <cstddef>

#include "base/ascii.h"

namespace teapot::http {
namespace {

// Field names a response must carry, shared between the codes that need the same ones.
constexpr std::string_view upgrade_fields[] = {"Upgrade", "Connection"};
constexpr std::string_view link_fields[] = {"Link"};
constexpr std::string_view content_range_fields[] = {"Content-Range"};
constexpr std::string_view location_fields[] = {"Location"};
constexpr std::string_view www_authenticate_fields[] = {"WWW-Authenticate"};
constexpr std::string_view allow_fields[] = {"Allow"};
constexpr std::string_view proxy_authenticate_fields[] = {"Proxy-Authenticate"};
// 408 always ends the connection, and says so (RFC 9110 §15.5.9).
constexpr std::string_view connection_fields[] = {"Connection"};
// RFC 6585 makes it optional for 429 and RFC 9110 for 503; teapot always tells the client
// when to come back, so both carry it.
constexpr std::string_view retry_after_fields[] = {"Retry-After"};

using fields = std::span<const std::string_view>;
constexpr fields none{};
constexpr fields upgrade{upgrade_fields};
constexpr fields link{link_fields};
constexpr fields content_range{content_range_fields};
constexpr fields location{location_fields};
constexpr fields www_authenticate{www_authenticate_fields};
constexpr fields allow{allow_fields};
constexpr fields proxy_authenticate{proxy_authenticate_fields};
constexpr fields connection{connection_fields};
constexpr fields retry_after{retry_after_fields};

struct description {
  int code;
  std::string_view title_fr;
  fields required;
  std::string_view meaning_en;
  std::string_view meaning_fr;
};

// One row per registered code, in increasing order (checked below and by the unit tests).
constexpr description descriptions[] = {
    {100, "Continuer", none,
     "The request headers were accepted and the server is waiting for the content. Send the body "
     "now; the final status will follow it.",
     "Les en-têtes de la requête ont été acceptés et le serveur attend le contenu. Envoyez le "
     "corps maintenant ; le statut final suivra."},
    {101, "Changement de protocole", upgrade,
     "The server agreed to switch this connection to the protocol named in the Upgrade header. Go "
     "on speaking that protocol on the same connection.",
     "Le serveur accepte de passer, sur cette connexion, au protocole indiqué dans l’en-tête "
     "Upgrade. Poursuivez l’échange dans ce protocole sur la même connexion."},
    {102, "Traitement en cours", none,
     "The server received a long WebDAV request and is still working on it. Keep the connection "
     "open and wait for the final status.",
     "Le serveur a reçu une longue requête WebDAV et la traite encore. Gardez la connexion ouverte "
     "et attendez le statut final."},
    {103, "Indications préalables", link,
     "These are hints sent ahead of the final response, usually Link headers naming resources "
     "worth preloading. Start fetching them while the final response is prepared.",
     "Le serveur envoie des indications avant la réponse finale, en général des en-têtes Link qui "
     "désignent des ressources à précharger. Commencez à les récupérer en attendant la réponse "
     "finale."},
    {200, "OK", none,
     "The request succeeded and the response carries the result. Nothing more needs to be done.",
     "La requête a abouti et la réponse en contient le résultat. Il n’y a rien d’autre à faire."},
    {201, "Créé", none,
     "The request succeeded and created a new resource. Its address is in the Location header, or "
     "is the address that was requested.",
     "La requête a abouti et a créé une nouvelle ressource. Son adresse figure dans l’en-tête "
     "Location, ou bien c’est l’adresse demandée."},
    {202, "Accepté", none,
     "The request was accepted for processing, but the work is not finished yet. Check the status "
     "monitor the response points to, if any, to learn the outcome later.",
     "La requête a été acceptée, mais son traitement n’est pas terminé. Consultez plus tard "
     "l’adresse de suivi indiquée par la réponse, s’il y en a une, pour en connaître le résultat."},
    {203, "Information non certifiée", none,
     "The request succeeded, but a proxy changed the content it received from the origin server. "
     "Ask the origin server directly if you need its exact representation.",
     "La requête a abouti, mais un proxy a modifié le contenu reçu du serveur d’origine. "
     "Interrogez directement le serveur d’origine si vous avez besoin de sa version exacte."},
    {204, "Pas de contenu", none,
     "The request succeeded and there is no content to send back. Keep the current view as it is.",
     "La requête a abouti et il n’y a aucun contenu à renvoyer. Laissez l’affichage en l’état."},
    {205, "Contenu réinitialisé", none,
     "The request succeeded; reset the form or view that sent it. This response has no content.",
     "La requête a abouti ; remettez à zéro le formulaire ou la vue qui l’a envoyée. Cette réponse "
     "n’a aucun contenu."},
    {206, "Contenu partiel", content_range,
     "The response carries only the byte ranges that were asked for, as Content-Range describes. "
     "Put them together with the parts you already have.",
     "La réponse ne contient que les plages d’octets demandées, décrites par Content-Range. "
     "Assemblez-les avec les parties que vous avez déjà."},
    {207, "Statuts multiples", none,
     "The response body gives a separate status for each of several resources. Read each one: some "
     "operations may have failed while others succeeded.",
     "Le corps de la réponse donne un statut distinct pour chacune de plusieurs ressources. "
     "Lisez-les un par un : certaines opérations ont pu échouer alors que d’autres ont réussi."},
    {208, "Déjà signalé", none,
     "This member of the collection was already described earlier in the same reply, so it is not "
     "repeated. Refer to its first appearance.",
     "Ce membre de la collection a déjà été décrit plus haut dans la même réponse et n’est donc "
     "pas répété. Reportez-vous à sa première mention."},
    {226, "Manipulation d’instance appliquée", none,
     "The server applied the instance manipulations the client asked for, such as delta encoding, "
     "and the response is the result. Combine it with the base copy you hold.",
     "Le serveur a appliqué les manipulations d’instance demandées par le client, comme l’encodage "
     "différentiel, et la réponse en est le résultat. Combinez-la avec la copie de base que vous "
     "détenez."},
    {300, "Choix multiples", none,
     "The resource has several representations and the server cannot pick one for you. Choose one "
     "of the listed alternatives.",
     "La ressource existe sous plusieurs représentations et le serveur ne peut pas choisir à votre "
     "place. Choisissez l’une des possibilités proposées."},
    {301, "Déplacé définitivement", location,
     "The resource has moved for good to the address given in Location. Use that address from now "
     "on and update your links.",
     "La ressource a été déplacée pour de bon à l’adresse indiquée dans Location. Utilisez "
     "désormais cette adresse et mettez vos liens à jour."},
    {302, "Déplacé temporairement", location,
     "The resource is for the time being at the address given in Location. Follow it this time, "
     "but keep using the original address.",
     "La ressource se trouve pour le moment à l’adresse indiquée dans Location. Suivez-la cette "
     "fois-ci, mais continuez d’utiliser l’adresse d’origine."},
    {303, "Voir ailleurs", location,
     "The answer to this request is at another address, given in Location. Fetch it there with "
     "GET.",
     "La réponse à cette requête se trouve à une autre adresse, indiquée dans Location. "
     "Récupérez-la à cette adresse avec GET."},
    {304, "Non modifié", none,
     "Your cached copy is still current, so the server sends no content. Use the copy you already "
     "have.",
     "Votre copie en cache est toujours à jour, le serveur n’envoie donc aucun contenu. Utilisez "
     "la copie que vous avez déjà."},
    {305, "Passer par le proxy", none,
     "An obsolete code that once told the client to go through a proxy; for security reasons it is "
     "never sent. If you receive it, do not follow it.",
     "Code obsolète qui demandait autrefois au client de passer par un proxy ; pour des raisons de "
     "sécurité, il n’est jamais envoyé. Si vous le recevez, ne le suivez pas."},
    {306, "(Inutilisé)", none,
     "An early draft used this code; it is now reserved, has no meaning and is never sent.",
     "Un ancien brouillon utilisait ce code ; il est désormais réservé, n’a aucune signification "
     "et n’est jamais envoyé."},
    {307, "Redirection temporaire", location,
     "The resource is for the time being at the address given in Location. Repeat the same request "
     "there, with the same method and body.",
     "La ressource se trouve pour le moment à l’adresse indiquée dans Location. Renvoyez-y la même "
     "requête, avec la même méthode et le même corps."},
    {308, "Redirection permanente", location,
     "The resource has moved for good to the address given in Location. Repeat the same request "
     "there, with the same method and body, and use that address from now on.",
     "La ressource a été déplacée pour de bon à l’adresse indiquée dans Location. Renvoyez-y la "
     "même requête, avec la même méthode et le même corps, et utilisez désormais cette adresse."},
    {400, "Requête incorrecte", none,
     "The server could not understand the request because its syntax is invalid. Correct the "
     "request before sending it again.",
     "Le serveur n’a pas pu comprendre la requête, car sa syntaxe est invalide. Corrigez la "
     "requête avant de la renvoyer."},
    {401, "Authentification requise", www_authenticate,
     "This resource requires authentication and no valid credentials were given. Sign in with a "
     "scheme named in WWW-Authenticate and try again.",
     "Cette ressource exige une authentification et aucun identifiant valable n’a été fourni. "
     "Connectez-vous selon un schéma indiqué dans WWW-Authenticate, puis réessayez."},
    {402, "Paiement requis", none,
     "Access to this resource requires payment. No standard protocol comes with this code; ask the "
     "site owner how to pay.",
     "L’accès à cette ressource est payant. Aucun protocole standard n’accompagne ce code ; "
     "demandez au responsable du site comment payer."},
    {403, "Accès interdit", none,
     "The server understood the request but refuses to carry it out. Signing in again will not "
     "help; ask the site owner if you believe you should have access.",
     "Le serveur a compris la requête mais refuse de l’exécuter. Vous reconnecter n’y changera "
     "rien ; adressez-vous au responsable du site si vous pensez devoir y avoir accès."},
    {404, "Introuvable", none,
     "The server has nothing at this address. Check the address for typing mistakes, or start "
     "again from the site's home page.",
     "Le serveur n’a rien à cette adresse. Vérifiez qu’elle ne contient pas de faute de frappe, ou "
     "repartez de la page d’accueil du site."},
    {405, "Méthode non autorisée", allow,
     "The resource exists but does not support this method. The Allow header lists the methods it "
     "accepts.",
     "La ressource existe mais n’accepte pas cette méthode. L’en-tête Allow donne la liste des "
     "méthodes acceptées."},
    {406, "Aucune représentation acceptable", none,
     "None of the available representations matches what the request accepts (Accept, "
     "Accept-Language and similar headers). Widen those preferences and try again.",
     "Aucune des représentations disponibles ne correspond à ce que la requête accepte (en-têtes "
     "Accept, Accept-Language et semblables). Élargissez ces préférences et réessayez."},
    {407, "Authentification proxy requise", proxy_authenticate,
     "The proxy between you and the server requires authentication. Give credentials for a scheme "
     "named in Proxy-Authenticate and try again.",
     "Le proxy situé entre vous et le serveur exige une authentification. Fournissez des "
     "identifiants selon un schéma indiqué dans Proxy-Authenticate, puis réessayez."},
    {408, "Délai de requête dépassé", connection,
     "The server stopped waiting for the rest of the request and closed the connection. Send the "
     "request again on a new connection.",
     "Le serveur a cessé d’attendre la suite de la requête et a fermé la connexion. Renvoyez la "
     "requête sur une nouvelle connexion."},
    {409, "Conflit", none,
     "The request conflicts with the current state of the resource, for example a missing parent "
     "collection. Resolve the conflict and try again.",
     "La requête est en conflit avec l’état actuel de la ressource, par exemple une collection "
     "parente absente. Réglez le conflit et réessayez."},
    {410, "Supprimé définitivement", none,
     "The resource was here but has been removed on purpose and will not come back. Remove your "
     "links to it.",
     "La ressource existait mais a été retirée volontairement et ne reviendra pas. Supprimez vos "
     "liens vers elle."},
    {411, "Longueur requise", none,
     "The request has content but does not say how long it is. Send it again with a Content-Length "
     "header or with chunked transfer coding.",
     "La requête a un contenu mais n’en indique pas la longueur. Renvoyez-la avec un en-tête "
     "Content-Length ou avec le codage de transfert chunked."},
    {412, "Précondition non remplie", none,
     "A condition in the request headers, such as If-Match or If-Unmodified-Since, is false, so "
     "nothing was changed. Fetch the current version and decide again.",
     "Une condition des en-têtes de la requête, comme If-Match ou If-Unmodified-Since, est fausse "
     ": rien n’a été modifié. Récupérez la version actuelle et décidez à nouveau."},
    {413, "Contenu trop volumineux", none,
     "The request content is larger than the server accepts. Send less data, or split it over "
     "several requests.",
     "Le contenu de la requête dépasse la taille acceptée par le serveur. Envoyez moins de données "
     "ou répartissez-les sur plusieurs requêtes."},
    {414, "URI trop longue", none,
     "The request target (URI) is longer than the server accepts. Shorten it, for example by "
     "moving data from the query into a request body.",
     "La cible de la requête (URI) est plus longue que ce que le serveur accepte. "
     "Raccourcissez-la, par exemple en déplaçant des données de la chaîne de requête vers le "
     "corps."},
    {415, "Type de média non pris en charge", none,
     "The server does not accept content of this media type or encoding for this resource. Send it "
     "in a format the resource supports.",
     "Le serveur n’accepte pas de contenu de ce type de média ou de cet encodage pour cette "
     "ressource. Envoyez-le dans un format qu’elle prend en charge."},
    {416, "Plage non satisfaisable", content_range,
     "None of the requested byte ranges lies within the resource; Content-Range gives its current "
     "length. Ask again for a range inside it.",
     "Aucune des plages d’octets demandées ne se trouve dans la ressource ; Content-Range en donne "
     "la longueur actuelle. Demandez une plage comprise dans cette longueur."},
    {417, "Attente non satisfaite", none,
     "The server cannot meet the expectation given in the Expect header. Send the request again "
     "without that Expect value.",
     "Le serveur ne peut pas satisfaire l’attente exprimée dans l’en-tête Expect. Renvoyez la "
     "requête sans cette valeur d’Expect."},
    {418, "Je suis une théière", none,
     "This server is a teapot and refuses to brew coffee, as the joke of RFC 2324 has it. Try "
     "another pot.",
     "Ce serveur est une théière et refuse de faire du café, selon la plaisanterie de la RFC 2324. "
     "Essayez une autre cafetière."},
    {421, "Requête mal dirigée", none,
     "The request reached a server that is not set up to answer for this host name. Check the "
     "address, or send the request again on a new connection.",
     "La requête est arrivée sur un serveur qui n’est pas configuré pour ce nom d’hôte. Vérifiez "
     "l’adresse ou renvoyez la requête sur une nouvelle connexion."},
    {422, "Contenu non traitable", none,
     "The request is well formed, but its content cannot be processed as asked. Correct the "
     "content and try again.",
     "La requête est bien formée, mais son contenu ne peut pas être traité comme demandé. Corrigez "
     "le contenu et réessayez."},
    {423, "Verrouillé", none,
     "The resource is locked and the request did not present the lock token. Wait for the lock to "
     "be released, or send the token.",
     "La ressource est verrouillée et la requête n’a pas présenté le jeton de verrou. Attendez que "
     "le verrou soit levé ou envoyez le jeton."},
    {424, "Échec de dépendance", none,
     "This operation was not carried out because another operation it depended on failed. Fix that "
     "one first.",
     "Cette opération n’a pas été effectuée, car une autre opération dont elle dépendait a échoué. "
     "Corrigez d’abord celle-ci."},
    {425, "Trop tôt", none,
     "The server will not process a request sent in TLS early data, because it could be replayed. "
     "Send it again once the handshake is complete.",
     "Le serveur refuse de traiter une requête envoyée dans les données précoces de TLS, car elle "
     "pourrait être rejouée. Renvoyez-la une fois la négociation terminée."},
    {426, "Mise à niveau requise", upgrade,
     "This resource cannot be reached with the current protocol. Switch to the protocol named in "
     "the Upgrade header and try again.",
     "Cette ressource n’est pas accessible avec le protocole actuel. Passez au protocole indiqué "
     "dans l’en-tête Upgrade et réessayez."},
    {428, "Précondition requise", none,
     "This resource only accepts conditional changes, so that no update gets lost. Fetch it, then "
     "send your change with If-Match or If-Unmodified-Since.",
     "Cette ressource n’accepte que des modifications conditionnelles, afin qu’aucune mise à jour "
     "ne soit perdue. Récupérez-la, puis envoyez votre modification avec If-Match ou "
     "If-Unmodified-Since."},
    {429, "Trop de requêtes", retry_after,
     "Too many requests were sent in a short time. Wait for the delay given in Retry-After before "
     "trying again.",
     "Trop de requêtes ont été envoyées en peu de temps. Attendez le délai indiqué par Retry-After "
     "avant de réessayer."},
    {431, "Champs d’en-tête trop volumineux", none,
     "The request header fields, one of them or all together, are larger than the server accepts. "
     "Send smaller headers, for example fewer or shorter cookies.",
     "Les champs d’en-tête de la requête, pris un à un ou ensemble, dépassent la taille acceptée "
     "par le serveur. Envoyez des en-têtes plus petits, par exemple moins de cookies ou des "
     "cookies plus courts."},
    {451, "Indisponible pour raisons juridiques", link,
     "Access to this resource is blocked because of a legal demand. The Link header names who is "
     "blocking it.",
     "L’accès à cette ressource est bloqué à la suite d’une demande légale. L’en-tête Link indique "
     "qui applique ce blocage."},
    {500, "Erreur interne du serveur", none,
     "The server met an unexpected condition and could not complete the request. The fault is on "
     "the server's side; trying again later may work.",
     "Le serveur a rencontré une situation inattendue et n’a pas pu traiter la requête. L’erreur "
     "vient du serveur ; réessayer plus tard peut fonctionner."},
    {501, "Non implémenté", none,
     "The server does not support what this request needs, such as its method or transfer coding. "
     "Use a method or coding the server supports.",
     "Le serveur ne prend pas en charge ce dont cette requête a besoin, comme sa méthode ou son "
     "codage de transfert. Utilisez une méthode ou un codage qu’il prend en charge."},
    {502, "Mauvaise passerelle", none,
     "The server, acting as a gateway or proxy, received an invalid response from the server "
     "behind it. Try again later.",
     "Le serveur, agissant comme passerelle ou proxy, a reçu une réponse invalide du serveur situé "
     "derrière lui. Réessayez plus tard."},
    {503, "Service indisponible", retry_after,
     "The server cannot handle the request right now, because of maintenance or overload. Try "
     "again after the delay given in Retry-After.",
     "Le serveur ne peut pas traiter la requête pour le moment, pour cause de maintenance ou de "
     "surcharge. Réessayez après le délai indiqué par Retry-After."},
    {504, "Délai de passerelle dépassé", none,
     "The server, acting as a gateway or proxy, did not get a response in time from the server "
     "behind it. Try again later.",
     "Le serveur, agissant comme passerelle ou proxy, n’a pas reçu à temps de réponse du serveur "
     "situé derrière lui. Réessayez plus tard."},
    {505, "Version HTTP non prise en charge", none,
     "The server does not support the major HTTP version of the request. Send it again with "
     "HTTP/1.1.",
     "Le serveur ne prend pas en charge la version majeure de HTTP utilisée par la requête. "
     "Renvoyez-la en HTTP/1.1."},
    {506, "Variante elle-même négociable", none,
     "The server's content negotiation is misconfigured: the variant it chose is itself "
     "negotiable. The site owner has to fix the configuration.",
     "La négociation de contenu du serveur est mal configurée : la variante choisie est elle-même "
     "négociable. Le responsable du site doit corriger la configuration."},
    {507, "Espace de stockage insuffisant", none,
     "The server cannot store what the request needs, because it is out of space or over its "
     "quota. Free some space or send less data.",
     "Le serveur ne peut pas enregistrer ce que demande la requête : l’espace est épuisé ou le "
     "quota dépassé. Libérez de la place ou envoyez moins de données."},
    {508, "Boucle détectée", none,
     "The server stopped the operation because it met an infinite loop of WebDAV bindings while "
     "processing the request. Try a request of smaller depth.",
     "Le serveur a interrompu l’opération, car il a rencontré une boucle infinie de liaisons "
     "WebDAV en traitant la requête. Essayez une requête de moindre profondeur."},
    {510, "Extension non prise en charge", none,
     "The request requires a mandatory extension that the server does not support. Send it again "
     "without that extension.",
     "La requête exige une extension obligatoire que le serveur ne prend pas en charge. "
     "Renvoyez-la sans cette extension."},
    {511, "Authentification réseau requise", none,
     "You need to sign in to the network before you can reach the Internet. Open the login page "
     "the network offers and try again.",
     "Vous devez vous connecter au réseau avant de pouvoir accéder à Internet. Ouvrez la page de "
     "connexion proposée par le réseau et réessayez."},
};

constexpr bool is_sorted_by_code() {
  for (std::size_t i = 1; i < std::size(descriptions); ++i)
    if (descriptions[i - 1].code >= descriptions[i].code) return false;
  return true;
}
static_assert(is_sorted_by_code(), "find_description searches by bisection");

const description* find_description(status s) noexcept {
  const int code = to_int(s);
  const auto* end = std::end(descriptions);
  const auto* it = std::lower_bound(std::begin(descriptions), end, code,
                                    [](const description& d, int c) { return d.code < c; });
  return it != end && it->code == code ? it : nullptr;
}

constexpr std::string_view language_tags[] = {"en", "fr"};

constexpr std::string_view class_titles_en[] = {
    "1xx informational", "2xx success", "3xx redirection", "4xx client error", "5xx server error"};
constexpr std::string_view class_titles_fr[] = {"1xx information", "2xx succès", "3xx redirection",
                                                "4xx erreur du client", "5xx erreur du serveur"};

}  // namespace

std::string_view language_tag(language lang) noexcept {
  return language_tags[static_cast<std::size_t>(lang)];
}

std::span<const std::string_view> supported_language_tags() noexcept {
  return language_tags;
}

language language_from_tag(std::string_view tag) noexcept {
  for (std::size_t i = 0; i < std::size(language_tags); ++i)
    if (base::ascii::iequals(tag, language_tags[i])) return static_cast<language>(i);
  return language::en;
}

std::string_view title(status s, language lang) noexcept {
  const description* d = find_description(s);
  if (!d) return {};
  return lang == language::fr ? d->title_fr : info(s).reason;
}

std::string_view meaning(status s, language lang) noexcept {
  const description* d = find_description(s);
  if (!d) return {};
  return lang == language::fr ? d->meaning_fr : d->meaning_en;
}

std::string_view class_title(status s, language lang) noexcept {
  const int c = to_int(s) / 100;
  if (to_int(s) < 100 || c > 5) return {};
  const auto at = static_cast<std::size_t>(c - 1);
  return lang == language::fr ? class_titles_fr[at] : class_titles_en[at];
}

std::span<const std::string_view> required_headers(status s) noexcept {
  const description* d = find_description(s);
  return d ? d->required : none;
}

namespace {

struct softer_field {
  int code;
  std::string_view field;
  field_strength strength;
  std::string_view source;
};

constexpr softer_field softer_fields[] = {
    {429, "Retry-After", field_strength::may, "RFC 6585"},
    {451, "Link", field_strength::should, "RFC 7725"},
    {503, "Retry-After", field_strength::may, "RFC 9110"},
};

const softer_field* find_softer(status s, std::string_view field) noexcept {
  for (const softer_field& f : softer_fields)
    if (f.code == static_cast<int>(s) && base::ascii::iequals(f.field, field)) return &f;
  return nullptr;
}

}  // namespace

field_strength strength_of(status s, std::string_view field) noexcept {
  const softer_field* f = find_softer(s, field);
  return f ? f->strength : field_strength::must;
}

std::string_view strength_source(status s, std::string_view field) noexcept {
  const softer_field* f = find_softer(s, field);
  return f ? f->source : std::string_view{};
}

}  // namespace teapot::http
