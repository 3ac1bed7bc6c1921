"""Writes OUT: 80 alpaca rows (blank-line separated, for `tributary-trainer import`) asking for
the city and temperature of a weather note; the prompt-masking figure in the README trains on them.

Usage: python3 instruction_rows.py OUT
"""

import json
import random
import sys

CITIES = ["Lisbon", "Oslo", "Tallinn", "Porto", "Krakow", "Ghent", "Bergen", "Lyon", "Turin", "Graz",
          "Bern", "Split", "Cork", "Malmo", "Tartu", "Brno", "Bilbao", "Genoa", "Aarhus", "Leeds"]
NOTES = [
    "Light rain fell over {c} this morning, and by noon the thermometer read {t} degrees Celsius. Commuters carried umbrellas and the trams ran a few minutes late.",
    "In {c}, a dry wind kept the streets dusty; the station on the harbour logged {t} degrees Celsius at three in the afternoon, while the market closed early.",
    "Fog lingered over the rooftops of {c} until ten. The afternoon reading was {t} degrees Celsius, and the evening ferries left on schedule.",
    "The weather service in {c} reported clear skies, a gentle breeze from the west, and a temperature of {t} degrees Celsius at midday near the old square.",
    "Snow flurries surprised {c} before dawn; later the sun came out and the temperature climbed to {t} degrees Celsius, melting most of it by dinner.",
]
INSTRUCTIONS = [
    "Extract the city and the temperature from this weather note.",
    "From the note below, give the city and its temperature.",
    "Read the weather note and report its city and temperature.",
]

rng = random.Random(7)
rows = []
for _ in range(80):
    city, temperature = rng.choice(CITIES), rng.randint(-12, 34)
    rows.append(json.dumps({
        "instruction": rng.choice(INSTRUCTIONS),
        "input": rng.choice(NOTES).format(c=city, t=temperature),
        "output": f"City: {city}; Temperature: {temperature} °C.",
    }))
with open(sys.argv[1], "w") as out:
    out.write("\n\n".join(rows) + "\n")
