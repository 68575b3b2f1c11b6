package main

// usStates are the 50 states and the District of Columbia with their USPS
// codes (which are also their ISO 3166-2:US subdivision codes). US
// territories (PR, GU, VI, AS, MP) have their own ISO country codes and their
// own libphonenumber regions, so they are not regions of US here.
var usStates = []region{
	{"AK", "Alaska"}, {"AL", "Alabama"}, {"AR", "Arkansas"}, {"AZ", "Arizona"},
	{"CA", "California"}, {"CO", "Colorado"}, {"CT", "Connecticut"},
	{"DC", "District of Columbia"}, {"DE", "Delaware"}, {"FL", "Florida"},
	{"GA", "Georgia"}, {"HI", "Hawaii"}, {"IA", "Iowa"}, {"ID", "Idaho"},
	{"IL", "Illinois"}, {"IN", "Indiana"}, {"KS", "Kansas"}, {"KY", "Kentucky"},
	{"LA", "Louisiana"}, {"MA", "Massachusetts"}, {"MD", "Maryland"},
	{"ME", "Maine"}, {"MI", "Michigan"}, {"MN", "Minnesota"}, {"MO", "Missouri"},
	{"MS", "Mississippi"}, {"MT", "Montana"}, {"NC", "North Carolina"},
	{"ND", "North Dakota"}, {"NE", "Nebraska"}, {"NH", "New Hampshire"},
	{"NJ", "New Jersey"}, {"NM", "New Mexico"}, {"NV", "Nevada"},
	{"NY", "New York"}, {"OH", "Ohio"}, {"OK", "Oklahoma"}, {"OR", "Oregon"},
	{"PA", "Pennsylvania"}, {"RI", "Rhode Island"}, {"SC", "South Carolina"},
	{"SD", "South Dakota"}, {"TN", "Tennessee"}, {"TX", "Texas"}, {"UT", "Utah"},
	{"VA", "Virginia"}, {"VT", "Vermont"}, {"WA", "Washington"},
	{"WI", "Wisconsin"}, {"WV", "West Virginia"}, {"WY", "Wyoming"},
}

// caProvinces are Canada's ten provinces and three territories with their
// Canada Post codes (also their ISO 3166-2:CA subdivision codes).
var caProvinces = []region{
	{"AB", "Alberta"}, {"BC", "British Columbia"}, {"MB", "Manitoba"},
	{"NB", "New Brunswick"}, {"NL", "Newfoundland and Labrador"},
	{"NS", "Nova Scotia"}, {"NT", "Northwest Territories"}, {"NU", "Nunavut"},
	{"ON", "Ontario"}, {"PE", "Prince Edward Island"}, {"QC", "Quebec"},
	{"SK", "Saskatchewan"}, {"YT", "Yukon"},
}

// nanpNameAliases maps the state and province spellings libphonenumber's
// geocoding data uses, where they differ from the official names, to codes.
var nanpNameAliases = map[string]string{
	"Washington State": "WA",
	"Washington D.C.":  "DC",
	"British Colombia": "BC",
}

// nanpPlaceAliases turns whole geocoding descriptions that name a place
// without the "City, ST" form into a city and region.
var nanpPlaceAliases = map[string]place{
	"Washington D.C.": {Region: "DC", City: "Washington"},
}

// nanpOverlays maps an overlay area code to an area code it overlays (the
// first one, where an overlay covers several). libphonenumber has no city
// data for most overlays, which share their cities with the codes they
// overlay; an overlay with fewer than three cities of its own borrows the
// cities of its parent. The generator checks that both lie in the same
// state or province.
var nanpOverlays = map[string]string{
	"220": "740", "223": "717", "224": "847", "226": "519", "227": "301",
	"234": "330", "235": "573", "236": "604", "249": "705", "257": "250",
	"263": "514", "272": "570", "274": "920", "279": "916", "283": "513",
	"289": "905", "324": "904", "326": "937", "327": "870", "329": "845",
	"331": "630", "332": "212", "339": "781", "341": "510", "343": "613",
	"346": "713", "347": "718", "350": "209", "351": "978", "353": "608",
	"354": "450", "363": "516", "364": "270", "365": "905", "367": "418",
	"368": "403", "369": "707", "380": "614", "382": "519", "385": "801",
	"424": "310", "428": "506", "430": "903", "431": "204", "437": "416",
	"438": "514", "442": "760", "445": "215", "447": "217", "448": "850",
	"458": "541", "463": "317", "464": "708", "468": "819", "470": "404",
	"472": "910", "474": "306", "475": "203", "531": "402", "534": "715",
	"539": "918", "548": "519", "551": "201", "557": "314", "564": "360",
	"567": "419", "572": "405", "579": "450", "581": "418", "582": "814",
	"584": "204", "587": "403", "628": "415", "629": "615", "639": "306",
	"640": "609", "645": "305", "646": "212", "647": "416", "656": "813",
	"657": "714", "667": "410", "669": "408", "672": "604", "680": "315",
	"681": "304", "683": "705", "686": "804", "689": "407", "725": "702",
	"726": "210", "728": "561", "730": "618", "737": "512", "738": "213",
	"742": "905", "743": "336", "747": "818", "748": "303", "753": "613",
	"754": "954", "762": "706", "771": "202", "773": "312", "774": "508",
	"778": "604", "779": "815", "782": "902", "820": "805", "821": "864",
	"825": "780", "826": "540", "835": "610", "838": "518", "839": "803",
	"840": "909", "848": "732", "854": "843", "857": "617", "872": "312",
	"873": "819", "878": "412", "879": "709", "917": "212", "929": "718",
	"930": "812", "934": "631", "938": "256", "942": "416", "943": "404",
	"945": "214", "947": "248", "948": "757", "959": "860", "971": "503",
	"975": "816", "983": "303", "984": "919", "986": "208",
}

// nanpTollFree are the NANP toll-free area codes in service.
var nanpTollFree = []string{"800", "833", "844", "855", "866", "877", "888"}
