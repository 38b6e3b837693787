#!/usr/bin/env python3
"""Writes hybrid-eval.jsonl: the evaluation set of tier0's search modes (issue 13).

Deterministic (seeded). Three kinds of memories for one tenant:
  * exact-token memories: near-identical sentences that differ in an id, a code, a name or a rare word, so only
    the token tells them apart (what dense embeddings are weak at); each has a query naming that token;
  * paraphrase memories: each answers a question asked in other words (what BM25 is weak at);
  * filler: everyday memories that share vocabulary with both.
Lines: {"kind": "memory", "id", "text"} and {"kind": "query", "set": "exact"|"paraphrase", "query", "expect"}.
Run: python3 bench/eval/make_hybrid_eval.py > streams-app/src/test/resources/eval/hybrid-eval.jsonl
"""
import json
import random

rng = random.Random(13)
out = []


def memory(mid, text):
    out.append({"kind": "memory", "id": mid, "text": text})


def query(kind, q, expect):
    out.append({"kind": "query", "set": kind, "query": q, "expect": expect})


cities = ["Lisbon", "Porto", "Madrid", "Lyon", "Turin", "Ghent", "Leeds", "Bremen", "Graz", "Cork"]
days = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday"]

# orders: same template, different order number
orders = rng.sample(range(40000, 49999), 25)
for n in orders:
    memory(f"order-{n}", f"Order ORD-{n} shipped to {rng.choice(cities)} on {rng.choice(days)}; the customer asked "
                         f"for gift wrapping and the parcel went by courier.")
for n in orders[:12]:
    query("exact", f"where did ORD-{n} ship to", f"order-{n}")

# error codes in an incident log
codes = rng.sample(range(1000, 9999), 20)
for c in codes:
    memory(f"incident-{c}", f"The deploy failed with error E{c} in the payment service; rolled back after "
                            f"{rng.randint(5, 40)} minutes and opened a postmortem.")
for c in codes[:10]:
    query("exact", f"what happened with error E{c}", f"incident-{c}")

# tickets
tickets = rng.sample(range(100, 999), 20)
for t in tickets:
    memory(f"ticket-{t}", f"Ticket OPS-{t}: the nightly backup job on the database host ran out of disk space "
                          f"and was retried by the on-call engineer.")
for t in tickets[:8]:
    query("exact", f"OPS-{t} backup ticket", f"ticket-{t}")

# people with rare surnames, same role sentence
people = ["Okonkwo", "Villanueva", "Szczepanski", "Abernathy", "Nakagawa", "Oyelaran", "Castellanos", "Lindqvist",
          "Papadakis", "Hrabovsky", "Mbeki", "Rautenberg", "Quisenberry", "Tjahjono", "Vukovic"]
for p in people:
    memory(f"person-{p.lower()}", f"Met {p} at the conference; they lead a data platform team and we agreed to "
                                  f"talk again next quarter about streaming ingestion.")
for p in people[:8]:
    query("exact", f"what did I agree with {p}", f"person-{p.lower()}")

# rare words in otherwise similar notes
rare = ["defenestration", "quincunx", "sesquipedalian", "palimpsest", "zeugma", "borborygmus", "apricity",
        "petrichor", "susurrus", "lagniappe"]
for w in rare:
    memory(f"word-{w}", f"Word of the day in the reading club was '{w}'; everybody had to use it in a sentence "
                        f"before the coffee break.")
for w in rare[:6]:
    query("exact", f"{w}", f"word-{w}")

# paraphrase: (id, memory, question in other words)
para = [
    ("allergy", "Maya is allergic to peanuts and shellfish, so her lunchbox must never contain them.",
     "which foods must my kid avoid?"),
    ("dentist", "Dentist appointment with Dr. Ruiz is on the 14th at 9:30 for a cleaning.",
     "when is my next teeth check-up?"),
    ("wifi", "The wifi password at the lake house is written on the fridge: bluecanoe42.",
     "how do I get online at the cabin by the water?"),
    ("car", "I parked the car on level 3 of the airport garage, row F.",
     "where did I leave my vehicle?"),
    ("plants", "Water the fern every three days and keep it out of direct sun.",
     "how often does the houseplant need watering?"),
    ("passport", "My passport expires in March 2027; renew it six months before.",
     "when does my travel document run out?"),
    ("gym", "Gym membership renews every January and costs 39 euros a month.",
     "how much do I pay for fitness club each month?"),
    ("sister-birthday", "Lena's birthday is on July 9th; she likes dark chocolate and jazz records.",
     "what present would my sibling enjoy for her birthday?"),
    ("boiler", "The heating system is serviced every autumn by a technician from Warmtech.",
     "who maintains the furnace and when?"),
    ("landlord", "Rent is due on the first of the month, paid by bank transfer to Mr. Olsen.",
     "how do I pay for the apartment?"),
    ("vaccine", "The dog got her rabies shot in May; the next one is due in two years.",
     "when does the puppy need its next jab?"),
    ("meeting-notes", "In the planning meeting we decided to postpone the launch by two weeks to fix bugs.",
     "why was the release delayed?"),
    ("insurance", "Home insurance covers water damage but not flooding from the river.",
     "am I protected if a pipe bursts?"),
    ("recipe", "Grandma's pancake recipe: two eggs, a cup of flour, a cup of milk, pinch of salt.",
     "how do I make the breakfast crepes from my nan?"),
    ("tax", "Tax return must be filed by the end of April; receipts are in the blue folder.",
     "what is the deadline for declaring my income?"),
    ("bike", "The bicycle lock combination is 0-4-7-1.",
     "what code opens my bike chain?"),
    ("doctor", "Take the blood pressure pill every morning with food.",
     "when should I have my hypertension medication?"),
    ("school", "School pickup is at 3:15 on weekdays except Wednesday, which is 1 pm.",
     "what time do I collect the children?"),
    ("flight", "Flight to Oslo leaves from gate B12 at 7:05; check in online the day before.",
     "when does my plane to Norway depart?"),
    ("spanish", "Spanish lessons are on Thursday evenings with Carmen, over video call.",
     "when do I practise the language with my tutor?"),
    ("garbage", "Recycling bins are collected on Tuesday mornings; put them out the night before.",
     "which day do I take the trash out?"),
    ("sourdough", "Feed the sourdough starter twice a day with equal parts flour and water.",
     "how do I keep the bread yeast culture alive?"),
    ("neighbour", "The neighbour at number 12 keeps a spare key for emergencies.",
     "who can let me in if I lose my keys?"),
    ("coffee", "Decaf after 2 pm, otherwise I cannot sleep.",
     "why should I avoid espresso in the afternoon?"),
    ("hnsw", "We chose HNSW with M=16 and efConstruction 200 for the Milvus vector index.",
     "what graph settings did we pick for the nearest neighbour structure?"),
]
for mid, text, q in para:
    memory(f"para-{mid}", text)
    query("paraphrase", q, f"para-{mid}")

# filler sharing vocabulary with both
subjects = ["the team", "my sister", "the landlord", "the courier", "the on-call engineer", "the reading club",
            "the dentist", "the neighbour", "the customer", "the coach"]
verbs = ["called about", "wrote about", "asked about", "complained about", "reminded me about", "joked about"]
objects = ["the parcel", "the backup job", "the conference", "the deploy", "the coffee break", "the lake house",
           "the garden", "the budget", "the holiday plans", "the new laptop", "the payment service",
           "the database host", "the lunch menu", "the train strike", "the weekend"]
seen = set()
while len([o for o in out if o["kind"] == "memory"]) < 300:
    s = f"{rng.choice(subjects).capitalize()} {rng.choice(verbs)} {rng.choice(objects)} on {rng.choice(days)}."
    if s in seen:
        continue
    seen.add(s)
    memory(f"filler-{len(seen)}", s)

for line in out:
    print(json.dumps(line, ensure_ascii=False))
