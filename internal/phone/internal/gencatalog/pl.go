package main

// plRegions are Poland's sixteen voivodeships with their ISO 3166-2:PL codes
// (the two-digit TERYT numbers ISO adopted in 2018) and English names.
var plRegions = []region{
	{"02", "Lower Silesian"}, {"04", "Kuyavian-Pomeranian"}, {"06", "Lublin"},
	{"08", "Lubusz"}, {"10", "Łódź"}, {"12", "Lesser Poland"}, {"14", "Masovian"},
	{"16", "Opole"}, {"18", "Subcarpathian"}, {"20", "Podlaskie"},
	{"22", "Pomeranian"}, {"24", "Silesian"}, {"26", "Holy Cross"},
	{"28", "Warmian-Masurian"}, {"30", "Greater Poland"}, {"32", "West Pomeranian"},
}

// plAreaRegions maps each Polish geographic area code to its voivodeship.
var plAreaRegions = map[string]string{
	"12": "12", "13": "18", "14": "12", "15": "18", "16": "18", "17": "18",
	"18": "12", "22": "14", "23": "14", "24": "14", "25": "14", "29": "14",
	"32": "24", "33": "24", "34": "24", "41": "26", "42": "10", "43": "10",
	"44": "10", "46": "10", "48": "14", "52": "04", "54": "04", "55": "28",
	"56": "04", "58": "22", "59": "22", "61": "30", "62": "30", "63": "30",
	"65": "30", "67": "30", "68": "08", "71": "02", "74": "02", "75": "02",
	"76": "02", "77": "16", "81": "06", "82": "06", "83": "06", "84": "06",
	"85": "20", "86": "20", "87": "20", "89": "28", "91": "32", "94": "32",
	"95": "08",
}

// plCityNames restores the Polish letters libphonenumber's English data
// drops or gets wrong.
var plCityNames = map[string]string{
	"Biala Podlaska": "Biała Podlaska",
	"Bialystok":      "Białystok",
	"Bielsko-Biala":  "Bielsko-Biała",
	"Chelm":          "Chełm",
	"Lomża":          "Łomża",
	"Lódź":           "Łódź",
	"Ostrolęka":      "Ostrołęka",
	"Pila":           "Piła",
	"Plock":          "Płock",
	"Slupsk":         "Słupsk",
	"Suwalki":        "Suwałki",
	"Walbrzych":      "Wałbrzych",
	"Wloclawek":      "Włocławek",
	"Wroclaw":        "Wrocław",
}
