package phone

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/nyaruka/phonenumbers"

	"github.com/numberdesk/numberdesk/internal/inventory"
)

func TestInfo(t *testing.T) {
	tests := []struct {
		number string
		want   NumberInfo
	}{
		{"+16502530000", NumberInfo{"+16502530000", "US", TypeToll, "650", "CA", "Mountain View"}},
		{"+1 (650) 253-0000", NumberInfo{"+16502530000", "US", TypeToll, "650", "CA", "Mountain View"}},
		{"+14155550100", NumberInfo{"+14155550100", "US", TypeToll, "415", "CA", "San Francisco"}},
		{"+12125550100", NumberInfo{"+12125550100", "US", TypeToll, "212", "NY", "New York"}},
		{"+12025550100", NumberInfo{"+12025550100", "US", TypeToll, "202", "DC", "Washington"}},
		{"+16505550100", NumberInfo{"+16505550100", "US", TypeToll, "650", "CA", ""}},
		{"+12222345678", NumberInfo{"+12222345678", "US", TypeToll, "222", "", ""}},
		{"+18005550100", NumberInfo{"+18005550100", "US", TypeTollFree, "800", "", ""}},
		{"+18335550100", NumberInfo{"+18335550100", "US", TypeTollFree, "833", "", ""}},
		{"+18885550100", NumberInfo{"+18885550100", "US", TypeTollFree, "888", "", ""}},
		{"+19005550100", NumberInfo{"+19005550100", "US", TypeToll, "900", "", ""}},
		{"+14169250000", NumberInfo{"+14169250000", "CA", TypeToll, "416", "ON", "Toronto"}},
		{"+14165550100", NumberInfo{"+14165550100", "CA", TypeToll, "416", "ON", ""}},
		{"+18675550100", NumberInfo{"+18675550100", "CA", TypeToll, "867", "NT", ""}},
		{"+17875550100", NumberInfo{"+17875550100", "PR", TypeToll, "787", "", ""}},
		{"+442071234567", NumberInfo{"+442071234567", "GB", TypeToll, "20", "ENG", "London"}},
		{"+442890123456", NumberInfo{"+442890123456", "GB", TypeToll, "28", "NIR", "Belfast"}},
		{"+441224123456", NumberInfo{"+441224123456", "GB", TypeToll, "1224", "SCT", "Aberdeen"}},
		{"+442920123456", NumberInfo{"+442920123456", "GB", TypeToll, "29", "WLS", "Cardiff"}},
		{"+448001234567", NumberInfo{"+448001234567", "GB", TypeTollFree, "800", "", ""}},
		{"+448081234567", NumberInfo{"+448081234567", "GB", TypeTollFree, "808", "", ""}},
		{"+447911123456", NumberInfo{"+447911123456", "GG", TypeToll, "", "", ""}},
		{"+4930123456", NumberInfo{"+4930123456", "DE", TypeToll, "30", "BE", "Berlin"}},
		{"+498912345678", NumberInfo{"+498912345678", "DE", TypeToll, "89", "BY", "Munich"}},
		{"+4962211234567", NumberInfo{"+4962211234567", "DE", TypeToll, "6221", "BW", "Heidelberg"}},
		{"+4933701234567", NumberInfo{"+4933701234567", "DE", TypeToll, "33701", "", "Grossbeeren"}},
		{"+4915112345678", NumberInfo{"+4915112345678", "DE", TypeToll, "", "", ""}},
		{"+4980012345678", NumberInfo{"+4980012345678", "DE", TypeTollFree, "800", "", ""}},
		{"+48221234567", NumberInfo{"+48221234567", "PL", TypeToll, "22", "14", "Warsaw"}},
		{"+48421234567", NumberInfo{"+48421234567", "PL", TypeToll, "42", "10", "Łódź"}},
		{"+48800123456", NumberInfo{"+48800123456", "PL", TypeTollFree, "800", "", ""}},
		{"+61212345678", NumberInfo{"+61212345678", "AU", TypeToll, "2", "NSW", ""}},
		{"+61292345678", NumberInfo{"+61292345678", "AU", TypeToll, "2", "NSW", "Sydney"}},
		{"+61261234567", NumberInfo{"+61261234567", "AU", TypeToll, "2", "ACT", "Canberra"}},
		{"+61362001234", NumberInfo{"+61362001234", "AU", TypeToll, "3", "TAS", "Hobart"}},
		{"+61889991234", NumberInfo{"+61889991234", "AU", TypeToll, "8", "NT", "Darwin"}},
		{"+61894441234", NumberInfo{"+61894441234", "AU", TypeToll, "8", "WA", "Perth"}},
		{"+611800123456", NumberInfo{"+611800123456", "AU", TypeTollFree, "1800", "", ""}},
		{"+33123456789", NumberInfo{"+33123456789", "FR", TypeToll, "1", "", ""}},
	}
	for _, tt := range tests {
		got, err := Info(tt.number)
		if err != nil {
			t.Errorf("Info(%q): %v", tt.number, err)
			continue
		}
		if diff := cmp.Diff(tt.want, got); diff != "" {
			t.Errorf("Info(%q) mismatch (-want +got):\n%s", tt.number, diff)
		}
	}
}

func TestInfoRefusesInvalidNumbers(t *testing.T) {
	for _, s := range []string{"", "+1650", "hello", "6502530000"} {
		_, err := Info(s)
		var e *inventory.Error
		if !errors.As(err, &e) || e.Code != inventory.CodeInvalidPhoneNumber {
			t.Errorf("Info(%q) error = %v, want code %s", s, err, inventory.CodeInvalidPhoneNumber)
		}
	}
}

// catalogNumbers returns valid numbers in up to perCountry area codes of
// each catalog country (chosen at random, each number with a neighbour in
// the same block), in the toll-free codes, and a mobile number of each
// country.
func catalogNumbers(t testing.TB, rng *rand.Rand, perCountry int) []string {
	t.Helper()
	var out []string
	for _, c := range Countries() {
		cc := fmt.Sprint(c.CallingCode)
		var codes []string
		for _, a := range AreaCodes(c.Code, "") {
			codes = append(codes, a.Code)
		}
		codes = slices.Compact(codes)
		rng.Shuffle(len(codes), func(i, j int) { codes[i], codes[j] = codes[j], codes[i] })
		codes = append(TollFreeCodes(c.Code), codes[:min(perCountry, len(codes))]...)
		for _, code := range codes {
			for range 50 {
				n := cc + code
				for len(n) < len(cc)+9+rng.IntN(2) {
					n += fmt.Sprint(rng.IntN(10))
				}
				num, err := phonenumbers.Parse("+"+n, "")
				if err != nil || !phonenumbers.IsValidNumber(num) {
					continue
				}
				out = append(out, "+"+n, "+"+n[:len(n)-2]+fmt.Sprintf("%02d", rng.IntN(100)))
				break
			}
		}
		if ex := phonenumbers.GetExampleNumberForType(c.Code, phonenumbers.MOBILE); ex != nil {
			out = append(out, phonenumbers.Format(ex, phonenumbers.E164))
		}
	}
	return out
}

// TestInfoCacheMatchesUncached checks the assumption behind Info's cache:
// what it reports depends only on the number block.
func TestInfoCacheMatchesUncached(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	numbers := catalogNumbers(t, rng, 40)
	for _, s := range numbers {
		got, err := Info(s)
		if err != nil {
			continue // a neighbour that is not a valid number
		}
		c := plan().lookup(s[1:])
		want := describe(s, c, s[1+len(c.digits):])
		want.Number = s
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("Info(%q) differs from an uncached look-up (-uncached +cached):\n%s", s, diff)
		}
	}
}

// TestInfoAgreesWithCatalog checks that a number in each area code of the
// catalog is reported in the area code's country and one of its regions.
func TestInfoAgreesWithCatalog(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 10))
	for _, s := range catalogNumbers(t, rng, 60) {
		info, err := Info(s)
		if err != nil || info.Type == TypeTollFree || info.AreaCode == "" {
			continue
		}
		var regions []string
		for _, a := range AreaCodes(info.Country, "") {
			if a.Code == info.AreaCode {
				regions = append(regions, a.Region)
			}
		}
		if len(regions) == 0 {
			t.Errorf("Info(%q) = %+v: area code %s is not in the catalog of %s", s, info, info.AreaCode, info.Country)
			continue
		}
		if !slices.Contains(regions, info.Region) {
			t.Errorf("Info(%q) = %+v: region %q is not one of area code %s's %v", s, info, info.Region, info.AreaCode, regions)
		}
	}
}

func BenchmarkInfo(b *testing.B) {
	rng := rand.New(rand.NewPCG(11, 12))
	numbers := catalogNumbers(b, rng, 1000)
	b.Run("cached", func(b *testing.B) {
		for _, s := range numbers {
			Info(s)
		}
		b.ReportAllocs()
		i := 0
		for b.Loop() {
			Info(numbers[i%len(numbers)])
			i++
		}
	})
	b.Run("uncached", func(b *testing.B) {
		b.ReportAllocs()
		i := 0
		for b.Loop() {
			s := numbers[i%len(numbers)]
			c := plan().lookup(s[1:])
			describe(s, c, s[1+len(c.digits):])
			i++
		}
	})
}

func TestNationalNumber(t *testing.T) {
	for in, want := range map[string]string{
		"+16509541234":  "6509541234",
		"+442079460000": "2079460000",
		"+48221234567":  "221234567",
		"+61212345678":  "212345678",
		"6509541234":    "",
		"+1650x":        "",
		"":              "",
	} {
		if got := NationalNumber(in); got != want {
			t.Errorf("NationalNumber(%q) = %q, want %q", in, got, want)
		}
	}
}
