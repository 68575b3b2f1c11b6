package httpapi

import (
	"fmt"
	"strings"

	"github.com/numberdesk/numberdesk/internal/phone"
)

// portalText holds the portal's words in English and Polish (the seed's
// language). A key missing in Polish falls back to English; a key missing
// in both shows itself, which a test catches.
var portalText = map[string]map[string]string{
	"en": {
		"app": "Numberdesk", "phone_numbers": "Phone Numbers", "add": "Add", "bulk": "Bulk", "extensions": "Extensions",
		"sign_in": "Sign in", "sign_out": "Sign out", "token": "API token", "token_help": "Paste an API token of your account (nd_…). A viewer token can look; an admin or owner token can change.",
		"signin_failed": "That token is not valid (unknown or revoked).", "csrf_failed": "The sign-in form expired; please try again.",
		"assigned": "Assigned", "unassigned": "Unassigned", "ported": "Ported", "reserved": "Reserved", "porting": "Porting",
		"search": "Search", "number": "Number", "type": "Type", "site": "Site", "location": "Location", "assigned_to": "Assigned to",
		"actions": "Actions", "edit": "Edit", "assign_to": "Assign to", "assign": "Assign", "reassign": "Reassign", "unassign": "Unassign",
		"delete": "Delete", "extension": "Extension", "ext_placeholder": "extension number, name or email",
		"confirm_unassign": "Unassign this number?", "confirm_delete": "Delete this number? Its licence is freed; its history is kept.",
		"next_page": "Next page", "no_numbers": "No numbers here.", "viewer_note": "You are signed in with a viewer token: you can look, not change.",
		"status_note": "Port status is shown only for US and Canadian numbers; other port orders show “in progress” until they complete.",
		"port_orders": "Port orders", "status": "Status", "foc_date": "FOC date", "numbers": "Numbers", "exception": "Exception", "created": "Created",
		"in_progress": "in progress", "month": "Month", "show": "Show", "country": "Country", "reserved_numbers": "Reserved numbers",
		"number_days": "Number-days", "rate": "Rate", "amount": "Amount", "total": "Total", "estimate_note": "The current month is an estimate to date.",
		"add_numbers": "Add phone numbers", "target_site": "Target site", "emergency_address": "Emergency address", "add_new": "Add new",
		"street": "Street", "city": "City", "state": "State / province", "postal_code": "Postal code", "save": "Save",
		"toll": "Toll", "toll_free": "Toll-free", "only_reserved": "Only reserved numbers", "area_code": "Area code", "any": "any",
		"or_city": "or city", "advanced": "Advanced", "sequential": "Sequential", "prefix": "Prefix (digits or letters, e.g. YKI)",
		"consecutive": "Blocks of consecutive numbers", "results": "Results", "select_all": "Select all", "confirm": "Confirm",
		"no_results": "No numbers match. Ask the carrier for them:", "create_ticket": "Create ticket", "quantity": "Quantity",
		"vanity": "Vanity (letters or digits)", "order": "Order", "order_progress": "Order progress", "acquired": "acquired",
		"activated": "activated", "failed": "failed", "pending": "pending", "processing": "processing", "completed": "completed", "partial": "partial",
		"bulk_title": "Bulk assign or create from a CSV file", "kind": "Kind", "kind_assignments": "Number assignments", "kind_extensions": "Extensions",
		"dry_run": "Dry run (check every row, change nothing)", "file": "CSV file", "upload": "Upload", "template": "Template CSV",
		"recent_imports": "Recent imports", "import": "Import", "rows": "Rows", "ok": "OK", "unchanged": "Unchanged", "rows_failed": "Failed",
		"error_report": "Download the error report", "rows_per_second": "rows/s", "create_extension": "Create an extension",
		"name": "Name", "email": "Email", "ext_number": "Extension number (optional)", "create": "Create", "search_extensions": "Search extensions",
		"licences": "Licences", "of": "of", "held": "held", "user": "User", "call_queue": "Call queue", "auto_receptionist": "Auto receptionist",
		"common_area": "Common area", "room": "Room", "submitted": "submitted", "foc_confirmed": "FOC confirmed", "cancelled": "cancelled",
		"open": "open", "fulfilled": "fulfilled", "rejected": "rejected", "running": "running", "queued": "queued",
		"back_to_numbers": "Back to Phone Numbers", "error": "Error", "history": "History", "port_order": "Port order", "note": "Note",
		"ticket_created": "Ticket %s created: %s.", "order_created": "Order placed.", "done": "Done.",
		"assigned_ok": "%s assigned.", "unassigned_ok": "%s unassigned.", "deleted_ok": "%s deleted.", "reassigned_ok": "%s reassigned.",
		"ea_created": "Emergency address added.", "ext_created": "Extension %s created.",
	},
	"pl": {
		"phone_numbers": "Numery telefonów", "add": "Dodaj", "bulk": "Masowo", "extensions": "Numery wewnętrzne",
		"sign_in": "Zaloguj się", "sign_out": "Wyloguj", "token": "Token API", "token_help": "Wklej token API swojego konta (nd_…). Token podglądu pozwala oglądać; token administratora lub właściciela pozwala zmieniać.",
		"signin_failed": "Ten token jest nieważny (nieznany lub odwołany).", "csrf_failed": "Formularz logowania wygasł; spróbuj ponownie.",
		"assigned": "Przypisane", "unassigned": "Nieprzypisane", "ported": "Przeniesione", "reserved": "Zarezerwowane", "porting": "W przenoszeniu",
		"search": "Szukaj", "number": "Numer", "type": "Typ", "site": "Lokalizacja", "location": "Miejsce", "assigned_to": "Przypisany do",
		"actions": "Działania", "edit": "Edytuj", "assign_to": "Przypisz do", "assign": "Przypisz", "reassign": "Przypisz ponownie", "unassign": "Cofnij przypisanie",
		"delete": "Usuń", "extension": "Numer wewnętrzny", "ext_placeholder": "numer wewnętrzny, nazwa lub e-mail",
		"confirm_unassign": "Cofnąć przypisanie tego numeru?", "confirm_delete": "Usunąć ten numer? Licencja zostanie zwolniona; historia zostaje.",
		"next_page": "Następna strona", "no_numbers": "Brak numerów.", "viewer_note": "Zalogowano tokenem podglądu: możesz oglądać, nie zmieniać.",
		"status_note": "Status przenoszenia jest widoczny tylko dla numerów z USA i Kanady; pozostałe zamówienia są „w toku” do zakończenia.",
		"port_orders": "Zamówienia przeniesienia", "status": "Status", "foc_date": "Data FOC", "numbers": "Numery", "exception": "Wyjątek", "created": "Utworzono",
		"in_progress": "w toku", "month": "Miesiąc", "show": "Pokaż", "country": "Kraj", "reserved_numbers": "Zarezerwowane numery",
		"number_days": "Numerodni", "rate": "Stawka", "amount": "Kwota", "total": "Razem", "estimate_note": "Bieżący miesiąc to szacunek do dziś.",
		"add_numbers": "Dodaj numery telefonów", "target_site": "Lokalizacja docelowa", "emergency_address": "Adres alarmowy", "add_new": "Dodaj nowy",
		"street": "Ulica", "city": "Miasto", "state": "Stan / prowincja", "postal_code": "Kod pocztowy", "save": "Zapisz",
		"toll": "Płatny", "toll_free": "Bezpłatny", "only_reserved": "Tylko zarezerwowane numery", "area_code": "Numer kierunkowy", "any": "dowolny",
		"or_city": "lub miasto", "advanced": "Zaawansowane", "sequential": "Kolejne", "prefix": "Prefiks (cyfry lub litery, np. YKI)",
		"consecutive": "Bloki kolejnych numerów", "results": "Wyniki", "select_all": "Zaznacz wszystkie", "confirm": "Potwierdź",
		"no_results": "Brak pasujących numerów. Poproś o nie operatora:", "create_ticket": "Utwórz zgłoszenie", "quantity": "Liczba",
		"vanity": "Numer słowny (litery lub cyfry)", "order": "Zamówienie", "order_progress": "Postęp zamówienia", "acquired": "nabyty",
		"activated": "aktywowany", "failed": "błąd", "pending": "oczekuje", "processing": "w realizacji", "completed": "zakończone", "partial": "częściowo",
		"bulk_title": "Masowe przypisanie lub tworzenie z pliku CSV", "kind": "Rodzaj", "kind_assignments": "Przypisania numerów", "kind_extensions": "Numery wewnętrzne",
		"dry_run": "Próba (sprawdź każdy wiersz, niczego nie zmieniaj)", "file": "Plik CSV", "upload": "Wyślij", "template": "Szablon CSV",
		"recent_imports": "Ostatnie importy", "import": "Import", "rows": "Wiersze", "ok": "OK", "unchanged": "Bez zmian", "rows_failed": "Błędne",
		"error_report": "Pobierz raport błędów", "rows_per_second": "wierszy/s", "create_extension": "Utwórz numer wewnętrzny",
		"name": "Nazwa", "email": "E-mail", "ext_number": "Numer wewnętrzny (opcjonalnie)", "create": "Utwórz", "search_extensions": "Szukaj numerów wewnętrznych",
		"licences": "Licencje", "of": "z", "held": "w toku zamówień", "user": "Użytkownik", "call_queue": "Kolejka połączeń", "auto_receptionist": "Automatyczna recepcja",
		"common_area": "Telefon wspólny", "room": "Sala", "submitted": "złożone", "foc_confirmed": "FOC potwierdzone", "cancelled": "anulowane",
		"open": "otwarte", "fulfilled": "zrealizowane", "rejected": "odrzucone", "running": "w toku", "queued": "w kolejce",
		"back_to_numbers": "Wróć do numerów", "error": "Błąd", "history": "Historia", "port_order": "Zamówienie przeniesienia", "note": "Uwaga",
		"ticket_created": "Zgłoszenie %s utworzone: %s.", "order_created": "Zamówienie złożone.", "done": "Gotowe.",
		"assigned_ok": "Numer %s przypisany.", "unassigned_ok": "Przypisanie numeru %s cofnięte.", "deleted_ok": "Numer %s usunięty.", "reassigned_ok": "Numer %s przypisany ponownie.",
		"ea_created": "Adres alarmowy dodany.", "ext_created": "Numer wewnętrzny %s utworzony.",
	},
}

// translate returns the word for key in lang.
func translate(lang, key string) string {
	if v, ok := portalText[lang][key]; ok {
		return v
	}
	if v, ok := portalText["en"][key]; ok {
		return v
	}
	return key
}

// translateStatus translates a status or kind value (its own key).
func translateStatus(lang, v string) string { return translate(lang, v) }

// tr formats a translated message.
func tr(lang, key string, args ...any) string { return fmt.Sprintf(translate(lang, key), args...) }

// displayNumber formats an E.164 number for people: +1 650-954-1234.
func displayNumber(e164 string) string {
	nsn := phone.NationalNumber(e164)
	if nsn == "" || len(nsn) >= len(e164) {
		return e164
	}
	cc := e164[1 : len(e164)-len(nsn)]
	if cc == "1" && len(nsn) == 10 {
		return "+1 " + nsn[:3] + "-" + nsn[3:6] + "-" + nsn[6:]
	}
	// Elsewhere: +CC AREA REST, the rest in two groups (+44 20 7946 0000).
	area := ""
	if info, err := phone.Info(e164); err == nil && strings.HasPrefix(nsn, info.AreaCode) {
		area = info.AreaCode
	}
	rest := nsn[len(area):]
	half := len(rest) / 2
	out := "+" + cc + " "
	if area != "" {
		out += area + " "
	}
	if len(rest) > 4 {
		return out + rest[:half] + " " + rest[half:]
	}
	return out + rest
}

// formatMinor shows an amount in minor units: 12345 USD → "123.45 USD".
func formatMinor(minor int64, currency string) string {
	sign := ""
	if minor < 0 {
		sign, minor = "-", -minor
	}
	return fmt.Sprintf("%s%d.%02d %s", sign, minor/100, minor%100, currency)
}

// percent is done of total in whole percent (0 when total is 0).
func percent(done, total int64) int64 {
	if total <= 0 {
		return 0
	}
	return min(100, done*100/total)
}
