package phone

import (
	"errors"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/nyaruka/phonenumbers"

	"github.com/numberdesk/numberdesk/internal/inventory"
)

// outcome is what a normalisation produced, for comparisons: the number,
// or the error code.
type outcome struct {
	Number string
	Code   inventory.Code
}

func outcomeOf(t *testing.T, number string, err error) outcome {
	t.Helper()
	if err == nil {
		return outcome{Number: number}
	}
	var e *inventory.Error
	if !errors.As(err, &e) {
		t.Fatalf("error %#v is not an *inventory.Error", err)
	}
	return outcome{Code: e.Code}
}

// generatedNumbers returns canonical numbers of every calling code, valid
// and invalid: random national numbers of every length from 0 to 18 digits
// and of every first digit, numbers around libphonenumber's example number
// of every region and type, and North American numbers of every area-code
// and exchange class.
func generatedNumbers(rng *rand.Rand) []string {
	randomDigits := func(n int) string {
		b := make([]byte, n)
		for i := range b {
			b[i] = byte('0' + rng.IntN(10))
		}
		return string(b)
	}
	var out []string
	for _, c := range plan().codes {
		if c == nil {
			continue
		}
		for n := 0; n <= 18; n++ {
			out = append(out, "+"+c.digits+randomDigits(n))
		}
		for d := range 10 {
			for range 2 {
				out = append(out, "+"+c.digits+strconv.Itoa(d)+randomDigits(5+rng.IntN(8)))
			}
		}
	}
	for region := range phonenumbers.GetSupportedRegions() {
		for _, typ := range numberTypes {
			ex := phonenumbers.GetExampleNumberForType(region, typ)
			if ex == nil {
				continue
			}
			e164 := phonenumbers.Format(ex, phonenumbers.E164)
			out = append(out, e164)
			for range 2 {
				keep := max(2, len(e164)-4)
				out = append(out, e164[:keep]+randomDigits(len(e164)-keep+rng.IntN(3)-1))
			}
		}
	}
	for range 1000 {
		out = append(out, "+1"+randomDigits(10))
	}
	for _, npa := range []string{"212", "650", "800", "911", "290", "555", "222", "100"} {
		for _, nxx := range []string{"253", "011", "155", "911", "555"} {
			out = append(out, "+1"+npa+nxx+randomDigits(4))
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// numberTypes are the libphonenumber types with example numbers.
var numberTypes = []phonenumbers.PhoneNumberType{
	phonenumbers.FIXED_LINE, phonenumbers.MOBILE, phonenumbers.TOLL_FREE,
	phonenumbers.PREMIUM_RATE, phonenumbers.SHARED_COST, phonenumbers.VOIP,
	phonenumbers.PERSONAL_NUMBER, phonenumbers.PAGER, phonenumbers.UAN,
	phonenumbers.VOICEMAIL,
}

// TestFastPathAgreesWithParser checks that Normalize's fast path for
// canonical input accepts and rejects exactly what its parser path does
// (libphonenumber's Parse, then the same rules) on a large set of generated
// numbers, and that spelling a number differently changes nothing.
func TestFastPathAgreesWithParser(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	numbers := generatedNumbers(rng)
	accepted, rejected, parsed := 0, 0, 0
	for _, s := range numbers {
		fast, fastErr := Normalize(s, "")
		slow, slowErr := parseNumber(s, s, "")
		want, got := outcomeOf(t, slow, slowErr), outcomeOf(t, fast, fastErr)
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("%s: fast path and parser disagree (-parser +fast):\n%s", s, diff)
		}
		if got.Code != "" && got.Code != inventory.CodeInvalidPhoneNumber {
			t.Errorf("%s: error code %s", s, got.Code)
		}
		if fastErr == nil {
			accepted++
		} else {
			rejected++
		}
		if needsParse, _ := plan().check(s, s, false); needsParse {
			parsed++
		}

		// The same number spelled with spaces and dashes.
		spelled := "+ " + strings.Join(strings.SplitAfter(s[1:], "1"), " -")
		spelledNumber, spelledErr := Normalize(spelled, "")
		if got := outcomeOf(t, spelledNumber, spelledErr); got != want {
			t.Errorf("%s spelled %q: got %+v, want %+v", s, spelled, got, want)
		}
	}
	t.Logf("%d numbers: %d accepted, %d rejected, %d sent to the parser for a trunk prefix", len(numbers), accepted, rejected, parsed)
	if accepted < 2000 || rejected < 2000 {
		t.Errorf("the generated set is lopsided: %d accepted, %d rejected", accepted, rejected)
	}
}

// TestNationalShortcutAgreesWithParser checks the shortcut Normalize takes
// for North American numbers dialled at home against libphonenumber's
// parser. Numbers starting with 00 are left out: Normalize reads 00 as +
// where North America would dial 011 (see TestNormalize).
func TestNationalShortcutAgreesWithParser(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for range 1500 {
		n := 9 + rng.IntN(4)
		b := make([]byte, n)
		for i := range b {
			b[i] = byte('0' + rng.IntN(10))
		}
		if rng.IntN(2) == 0 {
			b[0] = '1'
		}
		digits := string(b)
		if strings.HasPrefix(digits, "00") {
			continue
		}
		for _, region := range []string{"US", "CA", "JM"} {
			got, err := Normalize(digits, region)
			want, wantErr := parseNumber(digits, digits, region)
			if diff := cmp.Diff(outcomeOf(t, want, wantErr), outcomeOf(t, got, err)); diff != "" {
				t.Errorf("Normalize(%q, %q) disagrees with the parser (-parser +shortcut):\n%s", digits, region, diff)
			}
		}
	}
}

// TestAcceptsValidNumbers checks that Normalize accepts every number
// libphonenumber calls valid, around the example number of every region and
// type, except for the deliberate differences of
// TestDeliberateDifferences.
func TestAcceptsValidNumbers(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	checked, excepted := 0, 0
	for _, region := range slices.Sorted(mapKeys(phonenumbers.GetSupportedRegions())) {
		for _, typ := range numberTypes {
			ex := phonenumbers.GetExampleNumberForType(region, typ)
			if ex == nil {
				continue
			}
			nsn := phonenumbers.GetNationalSignificantNumber(ex)
			for i := range 6 {
				candidate := []byte(nsn)
				for j := max(1, len(candidate)-4); j < len(candidate) && i > 0; j++ {
					candidate[j] = byte('0' + rng.IntN(10))
				}
				n, err := phonenumbers.Parse("+"+strconv.Itoa(int(ex.GetCountryCode()))+string(candidate), "")
				if err != nil || !phonenumbers.IsValidNumber(n) {
					continue
				}
				e164 := phonenumbers.Format(n, phonenumbers.E164)
				got, err := Normalize(e164, "")
				if err == nil && got == e164 {
					checked++
					continue
				}
				if deliberatelyRefused(e164) {
					excepted++
					continue
				}
				t.Errorf("%s (%s %v) is valid for libphonenumber; Normalize = %q, %v", e164, region, typ, got, err)
			}
		}
	}
	t.Logf("%d valid numbers accepted, %d refused deliberately", checked, excepted)
	if checked < 500 {
		t.Errorf("only %d valid numbers checked", checked)
	}
}

// deliberatelyRefused reports the valid numbers Normalize refuses on
// purpose: fewer than 8 or more than 15 digits, and +1 numbers of other than
// ten national digits.
func deliberatelyRefused(e164 string) bool {
	digits := len(e164) - 1
	return digits < minE164Digits || digits > maxE164Digits || strings.HasPrefix(e164, "+1") && digits != 11
}

func mapKeys[K comparable, V any](m map[K]V) func(func(K) bool) {
	return func(yield func(K) bool) {
		for k := range m {
			if !yield(k) {
				return
			}
		}
	}
}

// TestDeliberateDifferences pins where Normalize and libphonenumber's
// IsValidNumber differ on purpose. Normalize accepts possible numbers in
// ranges libphonenumber's metadata does not list as allocated (metadata lags
// new area codes and ranges, and refusing a real customer's number is worse
// than accepting an unallocated one, which no carrier will sell or port). It
// refuses numbers outside 8 to 15 digits and North American numbers of
// other than ten digits (CA's 310-xxxx short numbers).
func TestDeliberateDifferences(t *testing.T) {
	tests := []struct {
		number   string
		libValid bool
		accepted bool
	}{
		{"+12222345678", false, true}, // NPA 222 is not assigned
		{"+15552345678", false, true}, // NPA 555 is not assigned
		{"+441000123456", false, true},
		{"+48301234567", false, true},
		{"+6834002", true, false},          // Niue: 7 digits
		{"+4314000", true, false},          // Vienna: 7 digits
		{"+4940123456789012", true, false}, // 16 digits
		{"+13101234", true, false},         // Canada's 310-1234: 7 national digits
		{"+16502530000", true, true},       // both accept
		{"+16500112345", false, false},     // both refuse: exchange 011
	}
	for _, tt := range tests {
		n, err := phonenumbers.Parse(tt.number, "")
		if err != nil {
			t.Fatalf("Parse(%q): %v", tt.number, err)
		}
		_, nerr := Normalize(tt.number, "")
		got := struct{ LibValid, Accepted bool }{phonenumbers.IsValidNumber(n), nerr == nil}
		want := struct{ LibValid, Accepted bool }{tt.libValid, tt.accepted}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("%s mismatch (-want +got):\n%s", tt.number, diff)
		}
	}
}

// TestTypicalNumbers checks numbers of the kinds the sandbox carrier sells.
func TestTypicalNumbers(t *testing.T) {
	for _, s := range []string{
		"+16502530000", "+16505550123", "+14155550100", "+18005550100",
		"+442071234567", "+4930123456", "+48221234567", "+61212345678",
	} {
		n, err := phonenumbers.Parse(s, "")
		if err != nil || !phonenumbers.IsValidNumber(n) {
			t.Errorf("libphonenumber does not take %s: %v", s, err)
		}
		if got, err := Normalize(s, ""); err != nil || got != s {
			t.Errorf("Normalize(%q) = %q, %v", s, got, err)
		}
	}
}

func TestCanonicalFastPathDoesNotAllocate(t *testing.T) {
	plan()
	for _, s := range benchmarkNumbers {
		if allocs := testing.AllocsPerRun(100, func() { Normalize(s, "") }); allocs > 0 {
			t.Errorf("Normalize(%q) allocates %v times", s, allocs)
		}
	}
}

func TestAnalysePattern(t *testing.T) {
	got, err := analysePattern(`[2-9]\d{9}|3\d{6}`)
	if err != nil {
		t.Fatal(err)
	}
	lengths := func(nsn string) []int {
		var out []int
		for n := range 32 {
			if got[prefixIndex(nsn)]&(1<<n) != 0 {
				out = append(out, n)
			}
		}
		return out
	}
	for _, tt := range []struct {
		prefix string
		want   []int
	}{
		{"2", []int{10}},
		{"3", []int{7, 10}},
		{"1", nil},
		{"65", []int{10}},
		{"31", []int{7, 10}},
		{"09", nil},
	} {
		if diff := cmp.Diff(tt.want, lengths(tt.prefix)); diff != "" {
			t.Errorf("prefix %s mismatch (-want +got):\n%s", tt.prefix, diff)
		}
	}
}

func TestDescribeLengths(t *testing.T) {
	for _, tt := range []struct {
		mask uint32
		want string
	}{
		{0, "no"},
		{1 << 10, "10"},
		{1<<7 | 1<<8 | 1<<9 | 1<<10, "7 to 10"},
		{1<<7 | 1<<9 | 1<<10, "7, 9 or 10"},
	} {
		if got := describeLengths(tt.mask); got != tt.want {
			t.Errorf("describeLengths(%b) = %q, want %q", tt.mask, got, tt.want)
		}
	}
}
