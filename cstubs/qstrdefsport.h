// qstrs specific to the Pyrite port (most are found automatically).
