package phone_test

import (
	"fmt"

	"github.com/numberdesk/numberdesk/internal/phone"
)

func ExampleNormalize() {
	for _, in := range []struct{ input, region string }{
		{"+1 (650) 253-0000", ""},
		{"(650) 253-0000", "US"},
		{"001 650 253 0000", "PL"},
		{"tel:+1-650-253-0000", ""},
		{"+44 (0)20 7123 4567", ""},
		{"+1 650 253", ""},
	} {
		number, err := phone.Normalize(in.input, in.region)
		fmt.Println(number, err)
	}
	// Output:
	// +16502530000 <nil>
	// +16502530000 <nil>
	// +16502530000 <nil>
	// +16502530000 <nil>
	// +442071234567 <nil>
	//  invalid_phone_number: "+1 650 253" has 6 digits after +1; North American numbers have 10
}

func ExampleKeypad() {
	digits, err := phone.Keypad("YKI")
	fmt.Println(digits, err)
	_, err = phone.Keypad("Y-KI")
	fmt.Println(err)
	// Output:
	// 954 <nil>
	// invalid_field: "Y-KI": only letters A-Z and digits have keypad digits
}

func ExampleInfo() {
	info, err := phone.Info("+16502530000")
	fmt.Printf("%+v %v\n", info, err)
	info, err = phone.Info("+18005550100")
	fmt.Printf("%+v %v\n", info, err)
	// Output:
	// {Number:+16502530000 Country:US Type:toll AreaCode:650 Region:CA City:Mountain View} <nil>
	// {Number:+18005550100 Country:US Type:toll_free AreaCode:800 Region: City:} <nil>
}

func ExampleAreaCodes() {
	for _, a := range phone.AreaCodes("CA", "NU") {
		fmt.Println(a.Code, a.Region, a.Cities)
	}
	a, _ := phone.LookupAreaCode("US", "415")
	fmt.Println(a.Code, a.Region, a.Cities[len(a.Cities)-3:])
	// Output:
	// 867 NU [Iqaluit Rankin Inlet]
	// 415 CA [San Francisco San Rafael Sausalito]
}
