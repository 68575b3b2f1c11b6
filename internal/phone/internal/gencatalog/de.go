package main

// deRegions are Germany's sixteen states with their ISO 3166-2:DE codes and
// English names.
var deRegions = []region{
	{"BB", "Brandenburg"}, {"BE", "Berlin"}, {"BW", "Baden-Württemberg"},
	{"BY", "Bavaria"}, {"HB", "Bremen"}, {"HE", "Hesse"}, {"HH", "Hamburg"},
	{"MV", "Mecklenburg-Western Pomerania"}, {"NI", "Lower Saxony"},
	{"NW", "North Rhine-Westphalia"}, {"RP", "Rhineland-Palatinate"},
	{"SH", "Schleswig-Holstein"}, {"SL", "Saarland"}, {"SN", "Saxony"},
	{"ST", "Saxony-Anhalt"}, {"TH", "Thuringia"},
}

// deArea is a curated German area code: its state and a city the geocoding
// data must name for it (the generator fails when it does not, which guards
// the table against typos).
type deArea struct {
	Region string
	City   string
}

// deAreas are the German area codes in the catalog: every two- and
// three-digit code (the large cities) and the codes of other well-known
// towns. Germany has about 5,000 local networks whose state the geocoding
// data does not give; the rest stay out of the catalog (Info still reports
// their city).
var deAreas = map[string]deArea{
	"30": {"BE", "Berlin"}, "40": {"HH", "Hamburg"}, "69": {"HE", "Frankfurt am Main"},
	"89":  {"BY", "Munich"},
	"201": {"NW", "Essen"}, "202": {"NW", "Wuppertal"}, "203": {"NW", "Duisburg"},
	"208": {"NW", "Oberhausen"}, "209": {"NW", "Gelsenkirchen"}, "211": {"NW", "Düsseldorf"},
	"212": {"NW", "Solingen"}, "214": {"NW", "Leverkusen"}, "221": {"NW", "Cologne"},
	"228": {"NW", "Bonn"}, "231": {"NW", "Dortmund"}, "234": {"NW", "Bochum"},
	"241": {"NW", "Aachen"}, "251": {"NW", "Münster"}, "261": {"RP", "Koblenz"},
	"271": {"NW", "Siegen"}, "281": {"NW", "Wesel"}, "291": {"NW", "Meschede"},
	"331": {"BB", "Potsdam"}, "335": {"BB", "Frankfurt (Oder)"}, "340": {"ST", "Dessau"},
	"341": {"SN", "Leipzig"}, "345": {"ST", "Halle"}, "351": {"SN", "Dresden"},
	"355": {"BB", "Cottbus"}, "361": {"TH", "Erfurt"}, "365": {"TH", "Gera"},
	"371": {"SN", "Chemnitz"}, "375": {"SN", "Zwickau"}, "381": {"MV", "Rostock"},
	"385": {"MV", "Schwerin"}, "391": {"ST", "Magdeburg"}, "395": {"MV", "Neubrandenburg"},
	"421": {"HB", "Bremen"}, "431": {"SH", "Kiel"}, "441": {"NI", "Oldenburg"},
	"451": {"SH", "Lübeck"}, "461": {"SH", "Flensburg"}, "471": {"HB", "Bremerhaven"},
	"481": {"SH", "Heide"}, "491": {"NI", "Leer"}, "511": {"NI", "Hannover"},
	"521": {"NW", "Bielefeld"}, "531": {"NI", "Braunschweig"}, "541": {"NI", "Osnabrück"},
	"551": {"NI", "Göttingen"}, "561": {"HE", "Kassel"}, "571": {"NW", "Minden"},
	"581": {"NI", "Uelzen"}, "591": {"NI", "Lingen"}, "611": {"HE", "Wiesbaden"},
	"621": {"BW", "Mannheim"}, "631": {"RP", "Kaiserslautern"}, "641": {"HE", "Giessen"},
	"651": {"RP", "Trier"}, "661": {"HE", "Fulda"}, "671": {"RP", "Bad Kreuznach"},
	"681": {"SL", "Saarbrücken"}, "711": {"BW", "Stuttgart"}, "721": {"BW", "Karlsruhe"},
	"731": {"BW", "Ulm"}, "741": {"BW", "Rottweil"}, "751": {"BW", "Ravensburg"},
	"761": {"BW", "Freiburg"}, "771": {"BW", "Donaueschingen"}, "781": {"BW", "Offenburg"},
	"791": {"BW", "Schwäbisch Hall"}, "811": {"BY", "Hallbergmoos"}, "821": {"BY", "Augsburg"},
	"831": {"BY", "Kempten"}, "841": {"BY", "Ingolstadt"}, "851": {"BY", "Passau"},
	"861": {"BY", "Traunstein"}, "871": {"BY", "Landshut"}, "881": {"BY", "Weilheim"},
	"906": {"BY", "Donauwörth"}, "911": {"BY", "Nuremberg"}, "921": {"BY", "Bayreuth"},
	"931": {"BY", "Würzburg"}, "941": {"BY", "Regensburg"}, "951": {"BY", "Bamberg"},
	"961": {"BY", "Weiden"}, "971": {"BY", "Bad Kissingen"}, "981": {"BY", "Ansbach"},
	"991": {"BY", "Deggendorf"},
	// Four-digit codes of other well-known towns.
	"2151": {"NW", "Krefeld"}, "2161": {"NW", "Mönchengladbach"}, "2191": {"NW", "Remscheid"},
	"2331": {"NW", "Hagen"}, "2361": {"NW", "Recklinghausen"}, "2381": {"NW", "Hamm"},
	"2821": {"NW", "Kleve"}, "5231": {"NW", "Detmold"}, "5241": {"NW", "Gütersloh"},
	"5251": {"NW", "Paderborn"},
	"3301": {"BB", "Oranienburg"}, "3334": {"BB", "Eberswalde"}, "3361": {"BB", "Fürstenwalde"},
	"3381": {"BB", "Brandenburg"}, "3391": {"BB", "Neuruppin"},
	"3521": {"SN", "Meissen"}, "3581": {"SN", "Görlitz"}, "3591": {"SN", "Bautzen"},
	"3731": {"SN", "Freiberg"}, "3741": {"SN", "Plauen"},
	"3461": {"ST", "Merseburg"}, "3491": {"ST", "Wittenberg"}, "3931": {"ST", "Stendal"},
	"3941": {"ST", "Halberstadt"}, "3943": {"ST", "Wernigerode"},
	"3601": {"TH", "Mühlhausen"}, "3621": {"TH", "Gotha"}, "3631": {"TH", "Nordhausen"},
	"3641": {"TH", "Jena"}, "3643": {"TH", "Weimar"}, "3681": {"TH", "Suhl"},
	"3691": {"TH", "Eisenach"},
	"3831": {"MV", "Stralsund"}, "3834": {"MV", "Greifswald"}, "3841": {"MV", "Wismar"},
	"4131": {"NI", "Lüneburg"}, "4141": {"NI", "Stade"}, "4421": {"NI", "Wilhelmshaven"},
	"4721": {"NI", "Cuxhaven"}, "4921": {"NI", "Emden"}, "5121": {"NI", "Hildesheim"},
	"5141": {"NI", "Celle"}, "5321": {"NI", "Goslar"}, "5341": {"NI", "Salzgitter"},
	"5361": {"NI", "Wolfsburg"},
	"4321": {"SH", "Neumünster"}, "4331": {"SH", "Rendsburg"}, "4621": {"SH", "Schleswig"},
	"6131": {"RP", "Mainz"}, "6232": {"RP", "Speyer"}, "6241": {"RP", "Worms"},
	"6151": {"HE", "Darmstadt"}, "6181": {"HE", "Hanau"}, "6421": {"HE", "Marburg"},
	"6831": {"SL", "Saarlouis"}, "6841": {"SL", "Homburg"},
	"6221": {"BW", "Heidelberg"}, "7071": {"BW", "Tübingen"}, "7121": {"BW", "Reutlingen"},
	"7131": {"BW", "Heilbronn"}, "7141": {"BW", "Ludwigsburg"}, "7231": {"BW", "Pforzheim"},
	"7531": {"BW", "Konstanz"},
	"6021": {"BY", "Aschaffenburg"}, "8031": {"BY", "Rosenheim"}, "8131": {"BY", "Dachau"},
	"8161": {"BY", "Freising"}, "8331": {"BY", "Memmingen"}, "9131": {"BY", "Erlangen"},
	"9281": {"BY", "Hof"}, "9421": {"BY", "Straubing"}, "9561": {"BY", "Coburg"},
	"9621": {"BY", "Amberg"}, "9721": {"BY", "Schweinfurt"},
}
