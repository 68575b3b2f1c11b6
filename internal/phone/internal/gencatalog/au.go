package main

// auRegions are Australia's states and territories with their ISO
// 3166-2:AU codes.
var auRegions = []region{
	{"ACT", "Australian Capital Territory"}, {"NSW", "New South Wales"},
	{"NT", "Northern Territory"}, {"QLD", "Queensland"}, {"SA", "South Australia"},
	{"TAS", "Tasmania"}, {"VIC", "Victoria"}, {"WA", "Western Australia"},
}

// auRegionPrefixes maps national-number prefixes of Australian geographic
// numbers to states (longest match wins): 02 is New South Wales, 03
// Victoria with 03 6 Tasmania, 07 Queensland; 08 is South Australia with
// 08 5, 08 6 and 08 9 Western Australia, 08 79 and 08 89 the Northern
// Territory and 08 80 the far west of New South Wales (Broken Hill).
var auRegionPrefixes = map[string]string{
	"2": "NSW", "3": "VIC", "36": "TAS", "7": "QLD",
	"8": "SA", "85": "WA", "86": "WA", "89": "WA",
	"879": "NT", "889": "NT", "880": "NSW",
}

// auCityRegions names the places whose state differs from the one their
// number range suggests: Canberra shares 02 with New South Wales, and a few
// border towns use the neighbouring state's area code.
var auCityRegions = map[string]string{
	"Canberra":    "ACT",
	"Broken Hill": "NSW",
	"Deniliquin":  "NSW",
	"Tweed Heads": "NSW",
}
