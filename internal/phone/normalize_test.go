package phone

import (
	"errors"
	"regexp"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/numberdesk/numberdesk/internal/inventory"
)

func TestNormalize(t *testing.T) {
	tests := []struct {
		input, region string
		want          string
	}{
		{"+16502530000", "", "+16502530000"},
		{"+1 (650) 253-0000", "", "+16502530000"},
		{"+1-650-253-0000", "", "+16502530000"},
		{"650.253.0000", "US", "+16502530000"},
		{"(650) 253-0000", "US", "+16502530000"},
		{"(650) 253-0000", "us", "+16502530000"},
		{"1 650 253 0000", "US", "+16502530000"},
		{"650 253 0000", "CA", "+16502530000"},
		{"001 650 253 0000", "PL", "+16502530000"},
		{"00 44 20 7123 4567", "DE", "+442071234567"},
		{"011 44 20 7123 4567", "US", "+442071234567"},
		{"0016502530000", "", "+16502530000"},
		{"00 44 20 7123 4567", "US", "+442071234567"},
		{"tel:+1-650-253-0000", "", "+16502530000"},
		{"TEL:+1-650-253-0000", "", "+16502530000"},
		{"tel:650-253-0000;phone-context=+1", "", "+16502530000"},
		{"  +16502530000\t", "", "+16502530000"},
		{"\u00a0+1\u00a0650\u00a0253\u00a00000\u00a0", "", "+16502530000"},
		{"\ufeff+16502530000\u200b", "", "+16502530000"},
		{"＋１ ６５０ ２５３ ００００", "", "+16502530000"},
		{"+１（６５０）２５３－００００", "", "+16502530000"},
		{"+٤٤ ٢٠ ٧١٢٣ ٤٥٦٧", "", "+442071234567"},
		{"+1 650 253 0000", "XX", "+16502530000"},
		{"'+16502530000", "", "+16502530000"},
		{"'6502530000", "US", "+16502530000"},
		{`="+16502530000"`, "", "+16502530000"},
		{"+1 650–253–0000", "", "+16502530000"},
		{"+1/650/253/0000", "", "+16502530000"},
		{"+44 (0)20 7123 4567", "", "+442071234567"},
		{"+4402071234567", "", "+442071234567"},
		{"020 7123 4567", "GB", "+442071234567"},
		{"+44 20 7123 4567", "US", "+442071234567"},
		{"+49 30 123456", "", "+4930123456"},
		{"030 123456", "DE", "+4930123456"},
		{"+48 22 123 45 67", "", "+48221234567"},
		{"22 123 45 67", "PL", "+48221234567"},
		{"+61 2 1234 5678", "", "+61212345678"},
		{"(02) 1234 5678", "AU", "+61212345678"},
		{"+1 800 555 0100", "", "+18005550100"},
		{"1-800-555-0100", "US", "+18005550100"},
		{"+1 1 650 253 0000", "", "+16502530000"},
		{"+7 8 495 123 45 67", "", "+74951234567"},
		{"+39 06 1234 5678", "", "+390612345678"},
		{"+33 1 23 45 67 89", "", "+33123456789"},
	}
	for _, tt := range tests {
		got, err := Normalize(tt.input, tt.region)
		if err != nil {
			t.Errorf("Normalize(%q, %q): %v", tt.input, tt.region, err)
			continue
		}
		if diff := cmp.Diff(tt.want, got); diff != "" {
			t.Errorf("Normalize(%q, %q) mismatch (-want +got):\n%s", tt.input, tt.region, diff)
		}
	}
}

func TestNormalizeErrors(t *testing.T) {
	tests := []struct {
		input, region string
		want          string // the message, after the quoted input
	}{
		{"", "", "is empty"},
		{"   ", "", "is empty"},
		{"'", "", "is empty"},
		{"+", "", "has no digits"},
		{"()-", "US", "has no digits"},
		{"6502530000", "", "has no country calling code: start it with + and the country code, or give a default region"},
		{"6502530000", "XX", `cannot be read: unknown default region "XX"`},
		{"+1 650 CALL NOW", "", "contains letters; spell vanity numbers with digits"},
		{"+1 650 253 0000 ext. 12", "", "contains letters; spell vanity numbers with digits"},
		{"tel:+1-650-253-0000;ext=12", "", "has an extension; give the number alone"},
		{"+1 650 253 0000 #5", "", `contains '#', which is not part of a phone number`},
		{"650+2530000", "US", "has a + that is not at the start"},
		{"++16502530000", "", "has a + that is not at the start"},
		{"+0123456789", "", "has an unknown country calling code +012"},
		{"+999123456789", "", "has an unknown country calling code +999"},
		{"+80012345678", "", "has the international calling code +800, which belongs to no country"},
		{"+1650253000", "", "has 9 digits after +1; North American numbers have 10"},
		{"+165025300000", "", "has 11 digits after +1; North American numbers have 10"},
		{"+10502530000", "", "has area code 050; area codes start with 2-9"},
		{"+14112530000", "", "has area code 411, which is an N11 service code"},
		{"+19992530000", "", "has area code 999; N9X area codes are reserved"},
		{"+16501530000", "", "has exchange 153; exchanges start with 2-9"},
		{"253-0000", "US", "has 7 digits after +1; North American numbers have 10"},
		{"+44207", "", "is too short: +44 numbers have 7, 9 or 10 digits after the country code"},
		{"+442071234567890", "", "is too long: +44 numbers have 7, 9 or 10 digits after the country code"},
		{"+44207123456", "", "is not a possible +44 number: no 9-digit numbers there start with 20"},
		{"+49301234567890123", "", "is too long: E.164 numbers have at most 15 digits"},
		{"+1234567890123456789012345", "", "is too long: E.164 numbers have at most 15 digits"},
		{"+1 234 567 890 123 456 789 012 345", "", "is too long"},
		{"+48 0 22 123 45 67", "", "has a 0 after +48; drop the trunk prefix 0"},
		{"+810000000000", "", "is ambiguous: the digits after +81 start like a trunk prefix"},
		{"0 20 7123", "GB", "is not a possible +44 number: no 7-digit numbers there start with 02"},
	}
	for _, tt := range tests {
		got, err := Normalize(tt.input, tt.region)
		if err == nil {
			t.Errorf("Normalize(%q, %q) = %q, want error %q", tt.input, tt.region, got, tt.want)
			continue
		}
		var e *inventory.Error
		if !errors.As(err, &e) || e.Code != inventory.CodeInvalidPhoneNumber {
			t.Errorf("Normalize(%q, %q) error %#v, want an *inventory.Error with code %s", tt.input, tt.region, err, inventory.CodeInvalidPhoneNumber)
			continue
		}
		msg := strings.TrimPrefix(e.Message, quoteInput(tt.input)+" ")
		if diff := cmp.Diff(tt.want, msg); diff != "" {
			t.Errorf("Normalize(%q, %q) message mismatch (-want +got):\n%s", tt.input, tt.region, diff)
		}
	}
}

// e164Pattern is what Normalize returns: a plus and 8 to 15 digits.
var e164Pattern = regexp.MustCompile(`^\+[1-9][0-9]{7,14}$`)

func FuzzNormalize(f *testing.F) {
	seeds := []struct{ input, region string }{
		{"+16502530000", ""}, {"+1 (650) 253-0000", ""}, {"650.253.0000", "US"},
		{"(650) 253-0000", "US"}, {"001 650 253 0000", "PL"}, {"tel:+1-650-253-0000", ""},
		{" +16502530000\u00a0", ""}, {"＋１ ６５０ ２５３ ００００", ""}, {"'+16502530000", ""},
		{"0016502530000", ""}, {"+44 (0)20 7123 4567", ""}, {"020 7123 4567", "GB"},
		{"+4930123456", ""}, {"+48221234567", ""}, {"+61212345678", ""}, {"+18005550100", ""},
		{"tel:650-253-0000;phone-context=+1", ""}, {`="+16502530000"`, ""}, {"+7 8 495 123 45 67", ""},
		{"+", ""}, {"", ""}, {"+0", ""}, {"1-800-FLOWERS", "US"}, {"+80012345678", ""},
		{"٠١٢٣٤٥٦٧٨٩", "EG"}, {"+1 650 253 0000 ext 1", ""}, {"+541115123456789", ""},
	}
	for _, s := range seeds {
		f.Add(s.input, s.region)
	}
	f.Fuzz(func(t *testing.T, input, region string) {
		got, err := Normalize(input, region)
		if err != nil {
			var e *inventory.Error
			if !errors.As(err, &e) || e.Code != inventory.CodeInvalidPhoneNumber {
				t.Fatalf("Normalize(%q, %q) error %#v, want code %s", input, region, err, inventory.CodeInvalidPhoneNumber)
			}
			return
		}
		if !e164Pattern.MatchString(got) {
			t.Fatalf("Normalize(%q, %q) = %q, not E.164", input, region, got)
		}
		again, err := Normalize(got, "")
		if err != nil || again != got {
			t.Fatalf("Normalize(%q, %q) = %q, which normalises to %q, %v", input, region, got, again, err)
		}
	})
}

// benchmarkNumbers are canonical numbers from several countries.
var benchmarkNumbers = []string{
	"+16502530000", "+442071234567", "+4930123456", "+48221234567",
	"+61212345678", "+18005550100", "+14165550123", "+33123456789",
}

func BenchmarkNormalizeCanonical(b *testing.B) {
	plan()
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		if _, err := Normalize(benchmarkNumbers[i%len(benchmarkNumbers)], ""); err != nil {
			b.Fatal(err)
		}
		i++
	}
}

func BenchmarkNormalizeFormatted(b *testing.B) {
	inputs := []struct{ input, region string }{
		{"+1 (650) 253-0000", ""},
		{"(650) 253-0000", "US"},
		{"+44 (0)20 7123 4567", ""},
		{"020 7123 4567", "GB"},
		{"001 650 253 0000", "PL"},
	}
	for _, in := range inputs {
		b.Run(in.input, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := Normalize(in.input, in.region); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
