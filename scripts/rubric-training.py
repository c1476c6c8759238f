#!/usr/bin/env python3
"""Writes assets/rubric-training.txt: labelled sentences for the semantic rubric head.

Run: python3 scripts/rubric-training.py > assets/rubric-training.txt

Four sources, all written by hand:
  * free sentences (HAND_* below and data/rubric-training/hand.txt): positives in people's own words and
    hard negatives (traps);
  * sentences on other topics (data/rubric-training/topics*.txt), each under its own question
    (`[prompt: ...]`), so the head learns the cells rather than the default deck's subject;
  * per-question topics (TOPICS) said back through many different openers (restatement), and the
    question itself repeated back (a trap);
  * trade-off pairs and boundary conditions said through many different verbal forms, so no one template
    family dominates (each form is used a bounded number of times).
Deterministic (fixed seed). Nothing here may appear in tests/fixtures/rubric-eval.toml (tests check it).
"""

import random
import re
import sys

rng = random.Random(20261126)

QUESTIONS = {
    "pm-01-success-metrics": "What metrics would you track to know Product Metrics is working well?",
    "pm-02-explain-trade-off": "How would you explain a trade-off in Product Metrics to a skeptical senior stakeholder?",
    "pm-03-smallest-poc": "What's the smallest proof-of-concept that demonstrates Product Metrics clearly?",
    "pm-04-debug-slow": "How would you debug a slow Product Metrics implementation?",
    "pm-05-wrong-tool": "Walk me through a scenario where Product Metrics was the wrong tool for the job.",
    "pm-06-documentation": "How do you document Product Metrics so a new teammate can ramp up quickly?",
    "pm-07-question-for-interviewer": "What's one question you'd ask the interviewer about Product Metrics?",
    "pm-08-end-to-end-example": "Describe an end-to-end example that uses Product Metrics.",
    "pm-09-top-follow-ups": "What are the top 3 interviewer follow-ups after a strong Product Metrics answer?",
    "pm-10-onboard-junior": "How would you onboard a junior engineer to work on Product Metrics?",
    "pm-11-hidden-production-trade-off": "What's a non-obvious trade-off that only shows up in production with Product Metrics?",
    "pm-12-theory-vs-practice": "How would you split preparation time between theory and practice for Product Metrics?",
    "pm-13-common-wrong-answer": "What's the most common wrong answer interviewers hear about Product Metrics?",
    "pm-14-last-48-hours": "What resources accelerate Product Metrics prep in the last 48 hours before an interview?",
    "pm-15-what-and-why": "What is Product Metrics and why is it relevant to this interview round?",
}

# Per question: clauses ("how we'd ...", usable after "you want to know") and noun phrases ("a way to ...").
TOPICS = {
    "pm-01-success-metrics": (
        ["how we'd tell that the numbers can actually be trusted", "whether the metrics platform is healthy and not just up",
         "which handful of signals prove the pipeline is earning its keep", "how I'd know the dashboards are right, on time and affordable",
         "what would convince me that people can rely on these figures"],
        ["a way to tell a healthy metrics system from one that merely runs", "proof that the data is correct, fresh and not too expensive",
         "a small set of health signals for the metrics stack", "evidence that teams can trust what the dashboards show"],
    ),
    "pm-02-explain-trade-off": (
        ["how I'd get a doubtful executive to accept a choice that costs us something",
         "how to sell a compromise to someone senior who isn't convinced", "how I'd make a skeptic see what we gain and what we give up",
         "how to walk a sceptical director through a decision with a real downside"],
        ["winning over a skeptical VP on a decision with costs", "explaining a compromise to a leader who doesn't buy it yet",
         "getting buy-in from a senior person who doubts the call", "making the downside of a choice understandable to an executive"],
    ),
    "pm-03-smallest-poc": (
        ["what's the least I could build that still convinces people", "how small a demo can be and still prove the idea",
         "what the cheapest convincing prototype looks like", "how to show it works without building the whole thing"],
        ["the tiniest demo that proves the idea", "a minimal prototype that still persuades", "the smallest experiment that settles the question",
         "a throwaway pilot that shows value in a week"],
    ),
    "pm-04-debug-slow": (
        ["how I'd find out where the time is going", "how I'd track down why the metrics pipeline got slow",
         "what steps I'd take when the dashboards take forever to load", "how to find the bottleneck when queries crawl"],
        ["finding the slow step in the pipeline", "tracking down the cause of the slowdown", "a method for locating the bottleneck",
         "diagnosing why the reports are sluggish"],
    ),
    "pm-05-wrong-tool": (
        ["when using this approach was a mistake", "in which situation it was the wrong choice", "where it didn't fit the problem at all",
         "what a case looks like where we should have picked something else"],
        ["a real case where the tool didn't fit", "a story about choosing the wrong approach", "an example of misapplying the method",
         "a situation where something simpler would have been better"],
    ),
    "pm-06-documentation": (
        ["how a new person gets productive quickly from what we write down", "what docs make a newcomer useful in the first week",
         "how to write things down so nobody needs to ask me", "how to make the metrics setup understandable to someone who just joined"],
        ["documentation that gets a newcomer up to speed fast", "docs a new teammate can actually learn from", "a written ramp-up path for new hires",
         "making the system self-explanatory for someone new"],
    ),
    "pm-07-question-for-interviewer": (
        ["what I'd want to learn from you about how your team runs metrics", "what one question would tell me the most about your metrics setup",
         "what I should ask you to understand how you use data", "which question about your metrics I'd bring to you"],
        ["one good question to put to the interviewer", "a question that shows how your team really works with metrics",
         "something worth asking you about your data culture", "a question that reveals how decisions get made here"],
    ),
    "pm-08-end-to-end-example": (
        ["how one concrete case flows from raw event to a decision", "what a full walk-through from tracking to dashboard looks like",
         "how a single metric travels from the app to the people who act on it", "how it works in practice from start to finish"],
        ["a full walk-through from event to decision", "one concrete example from capture to dashboard", "a start-to-finish story of a single metric",
         "an example that covers collection, processing and use"],
    ),
    "pm-09-top-follow-ups": (
        ["what the interviewer is likely to ask next after a good answer", "which follow-up questions come after a strong answer",
         "what an interviewer digs into once the first answer lands", "where an interviewer would push after I answer well"],
        ["the likely follow-up questions", "the three things an interviewer probes next", "what comes after a good first answer",
         "the probing questions a strong answer invites"],
    ),
    "pm-10-onboard-junior": (
        ["how I'd bring a new junior engineer up to speed", "how to get a junior productive on the metrics code quickly",
         "what a junior's first weeks on the metrics team should look like", "how I'd help someone junior start contributing safely"],
        ["getting a junior productive on the metrics stack", "a ramp-up plan for a new junior", "onboarding someone junior without drowning them",
         "a first-month plan for a junior engineer"],
    ),
    "pm-11-hidden-production-trade-off": (
        ["what compromise only bites once the system is live", "which tension you only discover after launch",
         "what cost stays hidden in testing and shows up with real traffic", "what surprises you in production that a design review misses"],
        ["a tension you only find in production", "a hidden cost that appears under real load", "a compromise that looks free until it's live",
         "a production-only surprise in the metrics stack"],
    ),
    "pm-12-theory-vs-practice": (
        ["how to divide prep hours between concepts and hands-on work", "how much time goes to reading versus actually building",
         "how I'd balance studying the ideas with practising them", "how to spend limited prep time between learning and doing"],
        ["balancing reading against doing", "a split of preparation time between study and practice", "a prep plan that mixes concepts with exercises",
         "deciding how much theory is enough before practising"],
    ),
    "pm-13-common-wrong-answer": (
        ["what candidates usually get wrong", "which answer interviewers hear that misses the point", "where people typically go wrong on this",
         "what the standard mistaken answer sounds like"],
        ["the typical mistaken answer", "the most frequent misconception candidates bring", "a common wrong take on the topic",
         "the answer that sounds right but isn't"],
    ),
    "pm-14-last-48-hours": (
        ["what to study in the final two days", "which resources help most when the interview is the day after tomorrow",
         "how to use the last couple of days before the interview", "what gives the most value with only two days left"],
        ["the best use of the final 48 hours", "a short list of materials for last-minute prep", "a two-day cram plan",
         "the highest-yield resources right before the interview"],
    ),
    "pm-15-what-and-why": (
        ["what product metrics actually is and why this round cares", "what this area means and why it matters in this interview",
         "how I'd define product metrics and say why it's tested here", "what it is and why you'd ask about it in this round"],
        ["a definition of product metrics and its relevance here", "what the field is and why it matters for the role",
         "a plain explanation of product metrics and why interviewers care", "the meaning of the term and its place in this round"],
    ),
}

# Openers for restatement. {q} takes a clause, {n} a noun phrase.
R_OPENERS = [
    "so you want to know {q}", "so basically you're asking {q}", "if I understand you right, {q} is the point",
    "let me say back what I'm hearing: {q}", "my understanding of the question is {q}", "in other words, {q}",
    "you're asking me {q}, right?", "I read this as {n}", "the way I see the question, it's about {n}",
    "so the problem to solve is {n}", "okay so {q}, that's what we need to figure out", "what you're after is {n}",
    "to put it my way: {q}", "the way I understand it, we need {n}", "right, so the task is {n}",
    "so in a nutshell, {q}", "so the question is asking for {n}, if I understand correct",
    "i think you are asking {q}", "first let me check I got it: {q}", "the thing to decide is {q}",
    "we're really talking about {n} here", "it's basically about {n}", "so the goal is {n}",
    "okay, what this is really about is {n}", "if I boil it down, you're asking {q}", "the real question is {q}",
    "so, rephrasing a bit, {q}", "let me frame it first: we're looking for {n}", "so we're trying to work out {q}",
    "what I take from the question is that you want {n}", "I'd put the question as {q}",
    "the core ask, as I hear it, is {n}", "correct me if I'm wrong, but this is about {n}",
    "so your question is really {q}", "just to make sure, the question is {q}", "before answering, the problem as I see it is {n}",
    "the challenge here is {n}", "what we need is {n}", "the underlying question is {q}",
    "so if I restate it, {q}", "ok ok so the point is {n}", "I hear the question as {q}",
    "this question wants {n}", "yeah so we want to figure out {q}", "so my job in this answer is to explain {q}",
    "let me restate it: {q}", "put simply, it's {q}", "what matters is {q}, if I read you right",
    "the heart of it is {n}", "so, the problem, in my words: {q}",
]

# Trade-off pairs: (what we gain, what we pay), short noun phrases.
T_PAIRS = [
    ("fresher data", "a bigger compute bill"), ("exact counts", "slower queries"), ("real-time dashboards", "a lot more operational work"),
    ("a simple pipeline", "less flexibility later"), ("shipping this week", "skipping some of the tests"), ("strict validation", "more rejected events"),
    ("fewer metrics", "less detail for the teams"), ("sampling", "some accuracy on small segments"), ("one shared definition", "weeks of alignment meetings"),
    ("high precision alerts", "missing some real incidents"), ("catching every alert", "a lot of false pages at night"),
    ("keeping raw events forever", "storage cost that keeps growing"), ("pre-aggregated tables", "the ability to slice freely"),
    ("a managed warehouse", "vendor lock-in"), ("building it ourselves", "months of engineering time"), ("streaming", "harder debugging"),
    ("nightly batch", "numbers that are up to a day old"), ("more dimensions on the dashboard", "slower loads and more confusion"),
    ("a faster rollout", "higher risk of a bad number reaching the exec deck"), ("autonomy for each team", "inconsistent metric definitions"),
    ("central ownership", "a bottleneck on the data team"), ("approximate distinct counts", "small errors in the totals"),
    ("deduplicating on read", "heavier queries"), ("deduplicating on write", "a slower ingest path"), ("wide denormalised tables", "painful schema changes"),
    ("a long experiment", "slower decisions"), ("a short experiment", "less statistical power"), ("more guardrail metrics", "slower launches"),
    ("caching results", "stale numbers for a while"), ("hourly refreshes", "missing intraday spikes"), ("deep documentation", "time taken from building"),
    ("pairing with the junior", "my own delivery slowing down"), ("reading theory", "less time practising real problems"),
    ("a polished demo", "a later first feedback"), ("a rough prototype", "stakeholders doubting it"), ("more retries", "higher latency"),
    ("aggressive compaction", "spikes in cluster load"), ("column-level lineage", "slower builds"), ("privacy by aggregating", "losing user-level analysis"),
    ("small team headcount", "slower response to requests"), ("a single source of truth", "more coupling between teams"),
]
T_FORMS = [
    "{g} comes at the price of {p}", "we'd pay for {g} with {p}", "you get {g}, but you give up on avoiding {p}",
    "{g} means accepting {p}", "if we want {g} we have to live with {p}", "the cost of {g} is {p}", "sure, {g}, but then {p}",
    "I'd take {p} in exchange for {g}", "it's basically {g} versus avoiding {p}", "buying {g} means signing up for {p}",
    "the upside is {g}, the downside is {p}", "that saves us pain but {g} brings {p}", "{g} wins us time now and costs us {p}",
    "we gain {g} and lose out through {p}", "what we trade is {p} for {g}", "{g} is nice but it drags in {p}",
    "choosing {g} gets us {p} as the bill", "the more we push for {g}, the more we get {p}", "{g} and {p} pull against each other",
    "I'd accept {p} because {g} matters more here", "we can't have {g} without {p}", "going for {g} we'd eat {p}",
    "with {g} you also sign up for {p}", "{g} is great until you see {p}, that's the price", "the catch with {g} is {p}",
    "{g} buys us speed, {p} is what it costs", "the flip side of {g} is {p}", "giving the team {g} brings {p} with it",
    "in return for {g} we'd get {p}", "so {g} on one side and {p} on the other",
]
# Single-word dimension contrasts ("faster but pricier") for variety.
T_ADJ = [
    ("streaming", "fresher", "far more expensive to run"), ("batch", "cheaper", "a day behind"), ("sampling", "fast", "less accurate for small groups"),
    ("the managed service", "quick to set up", "costly at our volume"), ("a spreadsheet", "instant to build", "impossible to keep correct"),
    ("the lambda architecture", "flexible", "a pain to maintain twice"), ("dbt models", "easy to review", "slow to rebuild in full"),
    ("materialised views", "snappy", "stale between refreshes"), ("HyperLogLog", "tiny in memory", "off by a percent or two"),
    ("a single writer", "simple to reason about", "capped in throughput"), ("more partitions", "parallel", "heavier on the metadata"),
    ("manual review", "accurate", "slow and boring"), ("one big dashboard", "convenient", "overwhelming for new people"),
]
T_ADJ_FORMS = [
    "{a} is {x} but {y}", "{a}: {x}, yes, but {y}", "{a} would be {x}, at the cost of being {y}", "{a} ends up {x} and {y} at the same time",
    "we went with {a} because it's {x}, knowing it's {y}", "{a} gets us {x}, it also leaves us {y}", "{a} is {x}, the price is that it's {y}",
]

# Boundary: approach + condition + what happens.
B_APPROACHES = [
    "this setup", "the nightly batch", "the single writer", "this dashboard", "the reconciliation check", "our sampling approach",
    "the approach", "the whole design", "this metric", "the demo", "the onboarding plan", "that runbook", "the cache",
    "the approximate counts", "the alerting rule", "the pilot", "this kind of doc", "the two-week prep plan", "the shared definition",
    "a single Postgres instance", "the cron job", "this proxy metric", "the A/B readout", "the funnel view",
]
B_CONDS = [
    "past a few thousand events a second", "once the data team grows beyond a handful of people", "if the source system itself is wrong",
    "when events arrive hours late", "as soon as two teams define the metric differently", "once traffic is ten times bigger",
    "if the question needs per-user detail", "when the schema changes without warning", "for anything that needs sub-second freshness",
    "if the segments get really small", "when the product changes its pricing model", "once the tables hit billions of rows",
    "if people start gaming the number", "when most of the load comes from scheduled exports", "if the interviewer is from a tiny startup",
    "when the junior has no SQL background at all", "if we ever need an audit trail", "once more than one region writes data",
    "if the stakeholder cares about a single customer", "when holidays skew the baseline", "if the tracking SDK drops events offline",
    "beyond roughly a hundred dashboards", "when you only have a day and not two", "if the company has no data team",
    "once the experiment population overlaps with another test", "if the clock on the devices is wrong",
]
B_FAILS = [
    "falls over", "stops being trustworthy", "no longer holds", "starts giving misleading answers", "becomes the wrong choice",
    "won't keep up", "gives numbers nobody should act on", "is not enough anymore", "needs to be replaced", "quietly goes wrong",
    "turns into a bottleneck", "stops telling you anything useful", "can't be trusted", "would mislead the team",
]
B_FORMS = [
    "{c}, {a} {f}", "{a} {f} {c}", "{a} is fine until {c0}, then it {f}", "I'd stop relying on {a} {c}",
    "{a} only works as long as that isn't the case: {c}, it {f}", "the limit is clear: {c}, {a} {f}",
    "where {a} gives out is {c}", "{c} all bets are off for {a}", "I wouldn't use {a} {c}", "{a} assumes otherwise, so {c} it {f}",
    "honestly, {c} I'd pick something else than {a}", "the weak spot of {a}: {c}", "{c} you'd need something other than {a}",
    "don't trust {a} {c}", "{a} holds up, except {c}", "the one case I'd worry about is {c}, because {a} {f}",
]

HAND_R = """
So you want to know how I'd tell, day to day, that the numbers on the dashboards are right.
Okay so if I get it, you're asking how to prove the platform is useful, not that it exists.
The question, as I understand it, is how to convince someone senior who doubts a decision we made.
What you're getting at is the smallest thing I can build that makes people believe the idea.
So really it's: the reports got slow and I need to find out why.
Let me repeat it back in my own words: tell a story where this was the wrong thing to use.
So we need a newcomer to stop needing me within a couple of weeks, that's the goal as I read it.
Basically you'd like one question from me that shows I'm thinking about how you actually use data here.
So you're asking me to trace a single number from the click in the app all the way to a decision.
If I understand, the point is to predict where an interviewer pushes after a good answer.
Okay so how do we get a brand new junior to ship something safe on the metrics code, that's what this is about.
You're after the kind of compromise nobody sees in the design doc but everybody feels after launch.
Right, it's about how I'd divide limited prep hours between reading and doing.
So, what answer do interviewers hear over and over that's actually wrong, that's your question.
In short: two days left, what should I read or practise.
So the ask is to say what this field is and why this interview round bothers with it.
um so what you're asking is basically how do we know it works, like really works, not just runs
so the thing is we need to know if people can trust the numbers right
ok so my take on the question is how to get a skeptical boss to go along with a compromise
so like the smallest demo that still convinces people, that's what you want
yeah so you want me to find where the slowness comes from
so it's about a time when picking this was the mistake, got it
what you want is docs that let a new hire get going without a week of meetings
i understand the question as what would i ask you to learn how your team works with metrics
so basically walk through one real example from start to end
so you mean what do they ask next when the first answer was already good
so the question is about how to make a junior useful fast but safely
so you want the trade-off that only appears in production, not on paper
so it's how much time on theory and how much on practice
so the question is what people wrongly say and why it's wrong
so what to do with only forty-eight hours left, that's the problem
ok so define it and say why it matters for this round
Let me make sure we're solving the same problem: trusted numbers, not just more numbers.
Before I answer, the real issue seems to be trust in the data rather than the tooling.
I want to reframe this a bit: the question is really whether decisions get better, not whether charts exist.
What you're really probing is whether I can say no to building too much for a demo.
To restate, the slow part could be anywhere from the query to the ingestion, and I need to find which.
My reading: you want a story where I'd now choose differently.
So the problem is onboarding by writing, not by shadowing.
The question behind the question is whether I've thought about how your team measures success.
Put in my words, you want the life of one event.
So the question is really about anticipating the next three questions.
I take this to mean: how do I make a junior independent without them breaking production.
In my own words, what gets worse in production that looked fine in staging.
Reframing: you want a ratio of study time to practice time and a reason for it.
So you want to hear the trap answer and what's missing from it.
The way I hear it, you want a short list of what to do with two days.
So first, what is it, and second, why does this round care about it.
What this boils down to for me is whether the team can act on the numbers without double-checking them.
The actual problem isn't picking tools, it's getting a doubtful executive to accept a cost.
Just to play it back: the aim is a convincing proof with the least building.
So the situation is slow dashboards and I need to find the cause before fixing anything.
so if i got you right you want a case where we used it and shouldn't have
so the request is a doc set a new person can learn from alone
Alright, the question as I hear it: how would I know this whole thing is worth running.
So the issue is convincing, not explaining, because the stakeholder already doubts it.
Let me put the question differently: what's the least I can build to change someone's mind?
Okay, so we have something slow and the question is how I'd go about finding why.
I'd summarise the question as: when should you not have used this at all.
so the need here is that a new teammate can find answers on their own
what you want to know is what I'm curious about in your team's metrics
the question wants a concrete case followed all the way through
so we're predicting the interviewer's next moves after a good answer
so we have a new junior and the goal is getting them contributing in weeks not months
the problem you're pointing at is the trade-off that hides until real traffic
so the question is a budgeting one: hours for theory versus hours for practice
you're asking which wrong answer comes up most and why it's wrong
the question is really what to cram when time is short
you're asking me to explain the concept and why it's relevant right now
So, to check my understanding, you want metrics about the metrics system itself.
If I got that right, the stakeholder is skeptical and senior, and I need them to accept the downside.
I hear two parts in the question: what it is, and why it matters for this round.
Let me just restate the problem so we agree on it: the numbers are slow to show up and nobody knows why.
The question is essentially how to keep a new hire from drowning in our tooling.
""".strip().splitlines()

HAND_T = """
We'd pay for that freshness with a much bigger bill.
Going real-time would triple the warehouse spend, and for most teams hourly is plenty.
Every extra check makes the data safer but the nightly load slower.
If we dedupe on write the ingest slows down; if we dedupe on read every query pays for it.
Catching every bad row means blocking the load more often, so freshness suffers.
The demo is quick to build precisely because it skips the hard parts, which makes it less convincing.
More detail on the dashboard helps analysts and confuses everyone else.
I'd rather ship a smaller set of trusted metrics than a big set nobody believes.
Approximate counts save a lot of memory, but small segments get noisy.
Owning it centrally keeps definitions consistent while making the data team a queue.
Letting each team define its own metrics is fast for them and chaos for the exec review.
The longer we run the test the surer we are, and the later we decide.
Pairing a junior with me speeds them up and slows my own work down for a month.
Theory gives you vocabulary, practice gives you fluency, and two days won't buy both.
Keeping raw events lets us answer new questions later, at a storage cost that never stops growing.
Caching makes the page instant, but people may look at numbers that are an hour old.
We chose consistency over speed: the dashboard waits for all sources before it refreshes.
It's cheaper, but it's slower, and the stakeholders will notice the slower part first.
Sampling one percent makes queries fly, though we lose the long tail.
The managed tool got us live in a day, and now we pay a premium per query for it.
You can optimise for the executive's question or for the analyst's flexibility, not both with one table.
So either the numbers are fresh or they're reconciled, and I'd pick reconciled for finance.
The strict schema stops garbage getting in, but a harmless new field can now break the pipeline.
Alerting on every dip catches real outages and wakes people up for nothing half the time.
um so if we make it faster it costs more basically and we have to decide which one matters
you get speed but then the numbers are a bit off, that's the deal
its like more accurate means slower, we cannot have both
the more teams we let in the more the definitions drift but the faster they move
we save money with batch but the data is old by the time anyone looks
the real-time thing is nice but it needs someone on call all the time
so we'd give up some precision to get answers in seconds instead of minutes
On one hand a single dashboard is easy to find, on the other it becomes a junk drawer.
The price of simplicity here is that we can't slice by country later without a rebuild.
Hiring a contractor gets it done sooner while the knowledge leaves with them.
The tighter the freshness target, the higher the cost, so I'd set it where the business needs it.
Denormalising made reads fast and every schema change painful.
What we gained in speed we lost in the ability to explain the numbers.
We decided to tolerate a few duplicates rather than pay for exactly-once delivery.
I'd accept numbers that are a day old in exchange for a pipeline one person can run.
Automating the checks frees people up, although the checks themselves need maintenance.
For the stakeholder I'd frame it as: we spend two more weeks and in return we stop double-counting revenue.
A bigger sample narrows the error bars and delays the launch.
Writing more docs slows this sprint but saves every future hire a week.
It's flexibility against predictability, and for a dashboard execs read, predictability wins.
The cheaper storage tier cuts the bill and makes historical queries crawl.
More partitions help parallelism but multiply the small files problem.
We could let analysts query raw tables, which is flexible, or give them curated marts, which are safe.
Short feedback loops versus thoroughness, that's the tension in a proof of concept.
The more metrics you track the less attention each one gets.
Reading case studies is efficient, but without doing a mock answer you won't know where you stall.
""".strip().splitlines()

HAND_B = """
Past a few thousand events a second, the single writer falls over.
None of this tells you much if two teams count an active user differently.
If the source system is wrong, reconciliation happily agrees with bad data.
This works for a product with steady traffic; with heavy seasonality the baseline is useless.
The hourly job is fine until someone needs numbers during an incident.
I'd only trust the sampled numbers for segments with a few thousand users or more.
Once we have more than one region writing, this ordering assumption goes away.
The demo proves the happy path; it says nothing about what happens at real volume.
For a company without a data team, I'd not even start with this.
If the junior has never touched SQL, two weeks of docs won't be enough.
This stops making sense when the metric becomes a target people are paid on.
The latency number means little once most queries come from scheduled exports rather than people.
It all assumes events arrive roughly in order; with mobile clients offline for days, it doesn't hold.
If the interviewer's company is a startup with ten users, my whole answer about warehouses is overkill.
Where I'd stop trusting this is small segments, under a few hundred users the noise dominates.
When the product changes what counts as a purchase, every historic comparison breaks.
This only works while the data fits on one machine.
At ten times the volume, we'd need to shard, and the simple design goes away.
The two-day plan assumes you already know the basics; starting from zero it's not enough.
A cache is fine as long as nobody needs second-by-second numbers.
I would not use this for billing, where a one percent error is a real customer complaint.
If the question were about a regulated bank, the audit requirements would change everything.
The proxy metric is good until teams start optimising it directly.
Once there are more than fifty dashboards nobody maintains, documentation alone won't save you.
so this works until like the traffic gets really big and then one box can't handle it
if the tracking drops events then all of these numbers are wrong anyway
this only makes sense if you have someone who owns the definitions
when two teams disagree on what active means it stops working
for a tiny team i wouldn't bother with any of this honestly
once you go global the time zones mess up the daily numbers
it falls apart if people start gaming the metric
if your data is late by hours then the dashboard is lying to you
the limit is when you need per user detail, aggregates won't do
this approach won't survive a schema change nobody told us about
The assumption underneath is that events are unique; if the SDK retries, the counts inflate.
Beyond about a hundred million rows a day, nightly rebuilds won't finish before morning.
It works for internal dashboards; for numbers shown to customers I'd want much stronger guarantees.
If the stakeholder only cares about one key account, averages won't persuade them.
I'd revisit the whole approach if the team doubled, because ownership would blur.
Experiments on overlapping populations break the clean readout I described.
For a question that needs an answer in seconds, the nightly batch is simply the wrong tool.
The moment the business changes its pricing, these cost metrics stop being comparable.
This holds for web traffic; for offline retail data arriving weekly, it doesn't.
Should the warehouse bill become the main concern, I'd give up the real-time tier first.
My answer assumes a mature data culture; in a company that doesn't look at data, docs won't help.
Unless the junior has a mentor with time, this onboarding plan falls apart.
It won't scale past one analyst per team, after that you need a semantic layer.
With a week of data you can't see weekly seasonality, so don't trust the trend yet.
If the event schema isn't versioned, the first new column can silently break downstream jobs.
Under heavy backfills the freshness metric looks terrible even though nothing is wrong.
This is the right call for a startup, and the wrong one for a company with strict compliance needs.
A prototype on a sample of data shows nothing about performance at full scale.
""".strip().splitlines()

# Hard negatives.
HAND_NEG_R = """
What metrics would you track to know Product Metrics is working well, great.
Great question, I get asked that a lot.
Okay, let me restate the question real quick.
So, to restate the problem. Anyway, I'd start with Kafka.
In other words, we shipped it late and nobody noticed.
The problem with dashboards is that nobody reads them.
That's a really interesting question and I'm glad you asked it.
The question is a good one.
OK so the question. Hmm. Let me think.
I'd like to restate the problem but I think it's clear enough.
I'm not going to restate the question, let's just dive in.
The real problem at my last job was that we had too many dashboards.
So, yeah, the question.
Good question, so, what metrics would I track, right.
You asked how I'd debug a slow Product Metrics implementation.
The question was describe an end-to-end example that uses Product Metrics.
Interesting, a non-obvious trade-off that only shows up in production.
so what's the smallest proof of concept that demonstrates product metrics clearly
Right. How would I onboard a junior engineer to work on Product Metrics. Okay.
what is product metrics and why is it relevant to this interview round good question
The goal of our team last year was to migrate to a new warehouse.
What we really wanted back then was a bigger budget.
In plain terms, we used Snowflake.
So basically I'd use dbt and Looker.
Let me make sure I mention the three metrics: accuracy, latency, cost.
So what I'm hearing from teams all the time is that they want more dashboards.
My understanding is that Airflow schedules the jobs.
The way I see it, Looker is better than Tableau.
The core of our stack is a Postgres database.
I'd summarise by saying I'd track latency and cost.
To sum up, monitoring is important.
So the question is a tricky one and there are many answers.
Let me think about the question for a second.
That's the question everybody asks.
The challenge at my company was hiring.
What you're asking about is something we did at my last job too, we had a big dashboard.
Restating the problem is important in interviews, people say.
""".strip().splitlines()

HAND_NEG_T = """
There are always trade-offs.
Trade-offs, trade-offs everywhere, you have to think about trade-offs.
Everything is a trade-off in engineering.
There's no trade-off here, it's just better.
I don't see any real trade-off with this approach.
It's faster and cheaper and more accurate, a win on every front.
I'd weigh the trade-offs carefully before deciding.
We need to balance things.
It depends on the trade-offs involved.
I'd explain the trade-off clearly to the stakeholder and answer their questions.
A non-obvious trade-off is a great thing to ask about.
We considered the pros and cons.
There are pros and cons to everything.
I would make sure to discuss trade-offs with the team.
Balancing priorities is a key skill.
The trade-off is something I'd think about.
Batch is cheaper.
Streaming is fresher.
We picked Postgres because it's reliable.
We made the pipeline faster.
The new dashboard is both faster and easier to read.
I'd present the options and let them decide.
Cost is important, and so is accuracy, and so is latency.
We track cost, latency and accuracy.
The stakeholder was skeptical, but eventually agreed.
It was expensive but we did it anyway.
I like to think in terms of trade-offs and compromises.
No downsides that I can think of.
Honestly it's all upside.
Both options are fine really.
The trade-off was hard to explain, so I used a chart.
There is a cost to everything, as they say.
Every decision has consequences.
The key is finding the right balance.
Whatever we choose, there's a price.
We gave the stakeholder a nice slide with pros and cons.
Instead of Tableau we used Looker.
The query took longer than the other one.
We lost the contract but won another one later.
I'd rather use Python than Java.
There's a tension between teams sometimes, that's normal.
""".strip().splitlines()

HAND_NEG_B = """
This breaks my heart.
Where this would break is a good question.
I really don't see where this could break.
I don't think there is any limit, it scales.
It works in every case I can think of.
It depends on the company.
It depends.
Well, it depends on a lot of factors.
Everything has limits of course.
It has its limits, like anything.
I'd think about edge cases.
Once we launched, the team celebrated.
If you have any questions, feel free to ask.
When I joined, the dashboards were slow.
The system broke last year and we fixed it quickly.
It's hard to say where it stops working.
There are always edge cases.
Nothing is perfect.
It will always hold, in my experience.
This approach never fails.
When the data arrives, we load it into the warehouse.
If the numbers look good, we ship.
Once a week we review the metrics.
When we're done, we write the docs.
If I were you I'd read the guide.
Past projects taught me a lot.
After the migration, things got better.
It could fail, everything can fail.
There might be some limitations.
I'm sure there are situations where it doesn't work, but overall it's good.
As soon as I started, I loved the team.
When the stakeholder asked, I explained it.
If you ask me, it's the best tool.
We broke the record for signups last month.
This stops being fun after a while, honestly.
It falls on the data team to fix it.
It breaks down into three steps.
Let me break it down for you.
Boundaries are important to set with stakeholders.
It scales to any size.
Failure is not an option here.
""".strip().splitlines()

# Neutral answer content (no cell), per topic, hand-written.
HAND_NEUTRAL = """
I'd track how often the numbers agree with the source system.
I'd look at the lag from an event happening to it showing on the dashboard.
The compute cost per day is the third number I'd watch.
First I'd check the query plan.
Then I'd look at which step of the DAG takes the longest.
We use dbt for transformations and Airflow to schedule them.
The events come in through Kafka and land in S3.
I'd write a README with a diagram of the pipeline.
Every metric gets an owner and a definition in the catalogue.
The junior would start with a small bug fix in the first week.
I'd ask how the team decides which metrics matter.
I'd spend the first evening reading the guide and the second doing mock answers.
The most common wrong answer is to list a dozen metrics with no reason.
Product metrics are the numbers a team uses to tell whether the product is doing what users need.
It matters here because the role owns the metrics platform.
So at my last company we had about three hundred dashboards.
Our analytics group ran null checks on every table.
I remember one time finance found a mismatch with the ledger.
Anyway, correctness matters a great deal to me.
There was a daily sync that kept people talking.
The demo would show a single chart with yesterday's signups.
I'd pick one metric, like weekly active users, and build it end to end.
The event goes from the app to the collector, then into the warehouse, then into a model.
A product manager looks at it on Monday and decides whether to keep the feature.
Follow-up one would be about scale, two about failure modes, three about cost.
I'd profile the slowest query and add an index.
The team was great and I learned a lot.
I'd set up alerts on freshness and row counts.
Documentation should have a glossary, runbooks and an architecture page.
The stakeholder wants a yes or no, so I'd lead with the recommendation.
I'd use a chart showing the cost per month next to the error rate.
ok so first i'd look at the logs and then the metrics for each stage
um yeah we had like a lot of dashboards and people kept asking which one was right
so i'd track accuracy latency and cost those three basically
the junior shadows me for a week then takes a ticket
i think the biggest thing is just communication honestly
I worked on a metrics platform for four years.
That's how I would do it.
I hope that answers the question.
That's pretty much it.
Thanks, that's my answer.
So yeah.
Let me think.
Okay.
Right, next.
""".strip().splitlines()


# Hard-negative generators: the stock words of each cell used emptily, denied, or about something else.
T_TRAPS = [
    "there's no trade-off between {g} and {p} here", "we get {g} and we avoid {p} too, no compromise",
    "I'd talk about the trade-offs of {g} with the team", "{g} is one option, and {p2} is another option",
    "I don't think {g} costs us anything", "we'd have {g}, which is great", "trade-offs like {g} are always there",
    "I'd explain the trade-off around {g} to the stakeholder", "{g} was on the list, as was {g2}",
    "we looked at {g} last year", "the trade-off discussion about {g} took an hour",
]
B_TRAPS = [
    "{a} never {f}, no matter what", "I don't think {a} {f} {c}", "{a} won't stop working even {c}",
    "it depends on the company whether {a} is used", "{a} could break, I guess, anything can",
    "I'm not sure when {a} {f}", "{a} works well, it has never let us down", "we built {a} when I joined",
    "{a} broke once last year because of a typo", "if you like, I can explain {a} in more detail",
    "once {a} was done, we moved on", "when we set up {a} it took two days", "{a} handles everything we throw at it",
]
R_TRAPS = [
    "let me restate: I'd use {x}", "in other words, {x}", "so the real problem is {x} at my old company",
    "the question is interesting, I'd use {x}", "to rephrase, we had {x}", "what you're asking about, {x}, we had it too",
    "the goal is to use {x}", "basically {x}", "so yeah, {x}",
]
THINGS = ["Kafka", "dbt", "a dashboard", "Looker", "an index", "Airflow", "a data catalogue", "Snowflake", "a cron job",
          "a spreadsheet", "BigQuery", "a feature flag", "Grafana", "a wiki page", "pair programming", "mock interviews"]
NEUTRAL_FORMS = [
    "I'd track {x}", "the first thing I'd look at is {x}", "we measured {x} every day", "{x} is the number I'd put at the top",
    "I'd add {x} to the weekly review", "for the demo I'd show {x}", "I'd make sure the doc covers {x}",
    "the junior would learn {x} first", "I'd ask about {x}", "i would check {x} and then move on",
    "so {x} basically", "we also had {x}", "{x} went up after the launch", "the team cared a lot about {x}",
]


# On-topic answer content per question: about the question's subject, but not saying back what is asked.
TOPIC_CONTENT = {
    "pm-01-success-metrics": ["The share of days where our totals match billing is the first number.", "Freshness, meaning how old the newest row is.",
        "People trust numbers they can check against something else.", "Healthy pipelines still produce wrong numbers sometimes.",
        "The dashboard shows green, yellow or red per table.", "We send a daily email with the three health numbers."],
    "pm-02-explain-trade-off": ["Executives want a recommendation, not a menu.", "I'd bring one chart and one sentence.",
        "Skeptical people usually have a reason, so I'd ask for it first.", "The VP pushed back hard in the first meeting.",
        "I'd show what happened last quarter when we did it the other way.", "A senior stakeholder cares about risk to revenue."],
    "pm-03-smallest-poc": ["A notebook with one chart is enough.", "I'd use one week of real data.", "The demo took an afternoon.",
        "People believe what they can click.", "No infrastructure, just a query and a chart.", "The pilot ran on my laptop."],
    "pm-04-debug-slow": ["The slowest query scanned the whole table.", "I'd add timing to every step.", "The warehouse queue was full every morning.",
        "Nine times out of ten it's a bad join.", "We found the culprit in the query history.", "Slow dashboards make people export to Excel."],
    "pm-05-wrong-tool": ["We built a streaming pipeline for a weekly report.", "The team spent three months on it.", "In the end we replaced it with a cron job.",
        "Nobody looked at the real-time numbers.", "It was an expensive lesson.", "The tool was great, the use case wasn't."],
    "pm-06-documentation": ["The README has a diagram of the pipeline.", "Every metric has a one-line definition and an owner.", "Runbooks live next to the alerts.",
        "New people read the glossary first.", "Docs go stale if nobody owns them.", "We record a short video of the architecture."],
    "pm-07-question-for-interviewer": ["I'd ask who owns the metric definitions.", "I'd ask what decision a dashboard changed recently.",
        "Asking about salary is not what I mean here.", "Good questions show you listened.", "I'd ask how experiments get reviewed."],
    "pm-08-end-to-end-example": ["A signup event is sent from the app.", "The collector writes it to storage.", "A nightly model counts signups per day.",
        "The growth PM reads the chart on Monday.", "They decided to change the onboarding flow.", "The whole path takes about an hour."],
    "pm-09-top-follow-ups": ["They will ask about scale.", "The next question is usually about failure.", "Interviewers love asking about cost.",
        "A follow-up on testing is common.", "They dig into whatever you said last.", "Expect a question about data quality."],
    "pm-10-onboard-junior": ["The junior gets a buddy for the first month.", "Their first ticket is small and safe.", "They shadow the on-call rotation in week three.",
        "I review every pull request they open.", "Juniors learn fastest by shipping something.", "We set up their laptop on day one."],
    "pm-11-hidden-production-trade-off": ["In production the retries doubled some events.", "Staging never has real traffic patterns.", "The bill surprised everyone in the second month.",
        "Real users do things tests don't.", "Production is where the assumptions get tested.", "We only noticed after launch."],
    "pm-12-theory-vs-practice": ["Theory is reading about experiment design.", "Practice is answering questions out loud.", "I'd use a timer for every mock answer.",
        "Reading is comfortable, which is why people overdo it.", "I'd record myself and listen back.", "Flashcards help with definitions."],
    "pm-13-common-wrong-answer": ["Candidates list vanity metrics.", "The wrong answer is page views.",
        "Many candidates just name tools.", "Interviewers hear the same answer all day.", "A wrong answer can sound very confident."],
    "pm-14-last-48-hours": ["The official guide is the best resource.", "I'd do two mock interviews.", "Sleep matters more than one more chapter.",
        "The company's engineering blog is worth an hour.", "I'd reread my own notes.", "Videos are fine on the commute."],
    "pm-15-what-and-why": ["Product metrics are the numbers a product team steers by.", "Retention, activation and conversion are examples.",
        "This round is about product sense.", "The role owns the metrics platform.", "Metrics connect the product to the business.",
        "Every team here has a north-star metric."],
}
TOPIC_NEG_FORMS = [
    "{n} took us a month at my last job", "I once wrote a blog post about {n}", "{n} is something every team struggles with",
    "people rarely get {n} right", "my old manager cared a lot about {n}", "we never really had {n}", "I'd love to have {n} one day",
    "{n} was on our roadmap last year", "nobody on my team knew {q}", "I never figured out {q} back then", "we argued for weeks about {q}",
    "the book has a chapter on {q}",
]


def deck_phrases():
    import tomllib, pathlib
    root = pathlib.Path(__file__).resolve().parent.parent
    deck = tomllib.loads((root / "assets/decks/product-metrics.toml").read_text())
    out = {}
    for q in deck["questions"]:
        ph = []
        for p in q.get("content_points", []):
            ph += p["phrases"][:6]
        for m in q.get("mistakes", []):
            ph += m["phrases"][:3]
        out[q["id"]] = ph
    return out


def negatives(add):
    n = 0
    for f in T_TRAPS:
        for _ in range(10):
            (g, p), (g2, p2) = rng.sample(T_PAIRS, 2)
            add("any", "-", f.format(g=g, p=p, g2=g2, p2=p2), spoken=(n % 3 == 1))
            n += 1
    for f in B_TRAPS:
        for _ in range(8):
            a, c, fl = rng.choice(B_APPROACHES), rng.choice(B_CONDS), rng.choice(B_FAILS)
            add("any", "-", f.format(a=a, c=c, f=fl), spoken=(n % 3 == 1))
            n += 1
    for f in R_TRAPS:
        for x in rng.sample(THINGS, 6):
            add("any", "-", f.format(x=x), spoken=(n % 3 == 1))
            n += 1
    for qid, sents in TOPIC_CONTENT.items():
        clauses, nouns = TOPICS[qid]
        for t in sents:
            add(qid, "-", t)
            add(qid, "-", t, spoken=True)
        for f in rng.sample(TOPIC_NEG_FORMS, 6):
            add(qid, "-", f.format(n=rng.choice(nouns), q=rng.choice(clauses)), spoken=(n % 3 == 1))
            n += 1
    for qid, ph in deck_phrases().items():
        for f in rng.sample(NEUTRAL_FORMS, 8):
            add(qid, "-", f.format(x=rng.choice(ph)), spoken=(n % 3 == 1))
            n += 1

# ---- Added: scope limits, assumptions and "I'd be wrong if" as boundaries; empty on-topic sentences,
# step-by-step descriptions and non-scope "I'm not ..." sentences as hard negatives.
B_SCOPE_FORMS = [
    "this only covers {s}", "I'm not handling {x} here", "{x} is out of scope for this answer", "I'm leaving {x} aside",
    "this answer assumes {a}", "I'm assuming {a}, and without that the plan changes", "I'd be wrong about this if it turned out that {w}",
    "this says nothing about {x}", "{x} isn't something this plan deals with", "it doesn't cover {x}", "none of this applies to {x}",
    "my plan is only for {s}", "it's meant for {s}, not for {x}", "all of that rests on the assumption that {a}",
    "what I just said wouldn't survive {w2}", "just {s}, so {x} would need its own answer", "I'm deliberately not solving {x}",
    "take this as a plan for {s} only", "the one thing I'm taking for granted is that {a}",
]
SCOPES = {  # (covered, excluded, assumption, would-be-wrong-if, would-not-survive)
    "pm-01-success-metrics": (["the revenue dashboards", "the numbers we can reconcile against a source", "the daily reporting pipeline"],
        ["metrics nobody has defined yet", "whether we track the right things at all", "the mobile app's events"],
        ["billing is the source of truth", "the definitions are agreed", "someone looks at the health numbers daily"],
        ["billing itself double-counts", "half the teams compute revenue their own way"], ["a second source of truth appearing"]),
    "pm-02-explain-trade-off": (["a stakeholder who argues from data", "the revenue reporting decision", "a one-to-one conversation"],
        ["the political side of the decision", "people who already promised the opposite to the board", "a whole committee"],
        ["the stakeholder wants to be convinced", "we have last quarter's numbers to show", "the cost is something we can put a number on"],
        ["the objection is about budget and not about accuracy", "the VP has already committed publicly"], ["a reorg that changes who decides"]),
    "pm-03-smallest-poc": (["proving the idea on real data", "a single metric", "the team that asked for it"],
        ["performance at full volume", "security review", "anything a customer would see"],
        ["we can get a week of real events", "one chart is enough to convince this audience", "the data is clean enough to use raw"],
        ["the audience only trusts production systems", "the real data is too messy for a notebook"], ["an audience that wants a live system"]),
    "pm-04-debug-slow": (["slow warehouse queries", "the batch jobs", "the dashboards that time out"],
        ["slowness in the BI tool's own rendering", "network problems between offices", "the mobile app's latency"],
        ["the slowness is reproducible", "we can read the query history", "nothing changed in the data volume"],
        ["the data volume tripled last week", "the slowness only happens on one person's laptop"], ["a problem that only shows up once a month"]),
    "pm-05-wrong-tool": (["internal analytics", "that one team's use case", "metrics for a small customer base"],
        ["customer-facing features", "the question of whether the tool is bad in general", "what other companies do"],
        ["the team had the skills to run either option", "the requirements didn't change halfway", "the volume stayed small"],
        ["the feature had actually grown to thousands of users", "we had been missing an obvious requirement"], ["a tenfold growth in users"]),
    "pm-06-documentation": (["people joining the data team", "the core pipeline", "day-to-day operations"],
        ["why past decisions were made", "the finance team's reports", "anything under legal hold"],
        ["somebody owns each page", "newcomers can read SQL", "the code doesn't change weekly"],
        ["nobody updates the pages after the first month", "newcomers never read docs at all"], ["a rewrite of the pipeline"]),
    "pm-07-question-for-interviewer": (["a team that already has dashboards", "the way decisions get made", "the data team's day-to-day"],
        ["compensation and benefits", "the company's wider strategy", "other teams' tooling"],
        ["the interviewer works with the metrics daily", "there's been at least one disagreement to talk about", "they'll answer honestly"],
        ["the interviewer is from a different department", "the team was formed last month"], ["an interviewer from recruiting"]),
    "pm-08-end-to-end-example": (["the signup funnel", "web traffic", "one product team's weekly decision"],
        ["the mobile app", "the experimentation platform", "how the raw logs are stored long term"],
        ["the tracking plan is followed", "the event names are stable", "the team reads the dashboard weekly"],
        ["the app sends events in a different format", "the product team ignores the chart"], ["a redesign of the signup flow"]),
    "pm-09-top-follow-ups": (["a senior engineering interviewer", "the design part of the round", "a follow-up on my own answer"],
        ["behavioural follow-ups", "questions about my CV", "the coding round"],
        ["the interviewer follows a standard script", "my first answer went well", "there's time left for three questions"],
        ["the interviewer is a product manager", "the round is mostly coding"], ["an interviewer who goes off script"]),
    "pm-10-onboard-junior": (["a junior with some SQL", "the first month", "the core dbt models"],
        ["on-call duties", "performance reviews", "people who join remotely in another time zone"],
        ["I have a few hours a week to pair", "the repo has tests to copy", "the junior can ask questions freely"],
        ["I'm away for half of the month", "the junior has never written SQL"], ["a team reorganisation in the first month"]),
    "pm-11-hidden-production-trade-off": (["the ingestion path", "what we saw at our scale", "the deduplication step"],
        ["trade-offs that show up in design reviews", "costs of the BI licences", "mobile clients"],
        ["our traffic shape is typical", "staging really differs from production", "the team watches the bill"],
        ["our traffic is unusually spiky", "staging mirrors production closely"], ["a move to a different cloud"]),
    "pm-12-theory-vs-practice": (["someone who already knows the basics", "a two-week preparation", "a metrics-heavy round"],
        ["the coding round", "people new to the field", "system design"],
        ["I have about ten hours", "the round is conversational", "I can find someone to do mocks with"],
        ["the round turns out to be a written test", "I have only one evening"], ["a change in the interview format"]),
    "pm-13-common-wrong-answer": (["product-focused interviews", "mid-level candidates", "metrics questions"],
        ["wrong answers in coding rounds", "candidates with no product experience", "the behavioural part"],
        ["interviewers want decisions, not lists", "the candidate has time to explain", "the question is open-ended"],
        ["the interviewer actually asked for a list", "the company only cares about one metric"], ["an interviewer who wants a definition"]),
    "pm-14-last-48-hours": (["a metrics and behavioural round", "someone who prepared before", "two evenings of time"],
        ["the coding part", "learning a new topic from scratch", "the take-home exercise"],
        ["the round format is what the recruiter said", "I already have notes", "I can sleep properly"],
        ["the round is actually system design", "I haven't prepared at all before"], ["a last-minute change of interviewer"]),
    "pm-15-what-and-why": (["consumer products", "a product-facing engineering role", "this particular round"],
        ["pure infrastructure roles", "marketing analytics", "finance reporting"],
        ["the role works with a product team", "the company sells to consumers", "the round is run by a product person"],
        ["the role is mostly platform work", "the company has no product team"], ["a move to a backend-only role"]),
}
B_SCOPE_TRAPS = [
    "I'm not sure about {x}", "I'm not a big fan of {x}", "we covered {x} as well", "{x} took most of our time",
    "I assume you know {s} already", "we handled {s} and {x} in the same sprint", "{x} is also part of it",
    "I'm not going to lie, {s} was hard", "scope creep hit us with {x}", "I'd include {x} too, for completeness",
    "out of curiosity I also looked at {x}",
]
STEP_FORMS = [
    "first I'd {a}, then I'd {b}", "I'd {a} and after that {b}", "step one is to {a}, step two is to {b}",
    "we {a2} and then we {b2}", "then I'd {a} before I {b}", "so I'd {a}, {b}, and report back",
    "once I {a2}, I'd {b}", "if that works I'd {b}",
]
STEPS = [
    ("pull a week of events", "pulled a week of events"), ("write the query", "wrote the query"), ("check the row counts", "checked the row counts"),
    ("add a test", "added a test"), ("build the dashboard", "built the dashboard"), ("talk to the owner", "talked to the owner"),
    ("look at the query plan", "looked at the query plan"), ("share a doc with the team", "shared a doc with the team"),
    ("schedule a review", "scheduled a review"), ("set up an alert", "set up an alert"), ("read the logs", "read the logs"),
    ("pair with the junior", "paired with the junior"), ("time each stage", "timed each stage"), ("write the glossary", "wrote the glossary"),
    ("run a mock interview", "ran a mock interview"), ("present the chart", "presented the chart"), ("fix the join", "fixed the join"),
]
EMPTY_KEYS = {
    "pm-01-success-metrics": ["tracking the right metrics", "knowing the metrics work well", "metrics"],
    "pm-02-explain-trade-off": ["explaining a trade-off", "talking to a skeptical stakeholder", "senior stakeholders"],
    "pm-03-smallest-poc": ["a proof of concept", "a small demo", "showing it clearly"],
    "pm-04-debug-slow": ["debugging", "a slow implementation", "performance"],
    "pm-05-wrong-tool": ["picking the right tool", "the wrong tool", "tools in general"],
    "pm-06-documentation": ["documentation", "ramping up new teammates", "good docs"],
    "pm-07-question-for-interviewer": ["asking the interviewer questions", "a good question", "interviewers"],
    "pm-08-end-to-end-example": ["an end-to-end example", "examples", "the whole flow"],
    "pm-09-top-follow-ups": ["follow-up questions", "a strong answer", "interviewer follow-ups"],
    "pm-10-onboard-junior": ["onboarding", "junior engineers", "mentoring"],
    "pm-11-hidden-production-trade-off": ["production", "non-obvious trade-offs", "running things in production"],
    "pm-12-theory-vs-practice": ["preparation", "theory and practice", "studying"],
    "pm-13-common-wrong-answer": ["wrong answers", "common mistakes", "what interviewers hear"],
    "pm-14-last-48-hours": ["the last 48 hours", "good resources", "last-minute preparation"],
    "pm-15-what-and-why": ["product metrics", "this interview round", "why it's relevant"],
}
EMPTY_FORMS = [
    "{k} is really important", "{k} matters a lot for every team", "I have a lot of experience with {k}",
    "there are many ways to think about {k}", "{k} is something I care about", "good {k} is the key to success here",
    "that's what {k} is all about", "I'd approach {k} carefully and thoroughly", "{k} is a big topic",
    "everyone should think about {k}", "{k} is what this question is about, and it's important", "so yeah, {k}, very important",
    "when it comes to {k}, you want to do it well", "{k} can make or break a team",
]


def more(add):
    n = 0
    for qid, (cov, exc, ass, wrong, surv) in SCOPES.items():
        for f in rng.sample(B_SCOPE_FORMS, 9):
            add(qid, "B", f.format(s=rng.choice(cov), x=rng.choice(exc), a=rng.choice(ass), w=rng.choice(wrong),
                                   w2=rng.choice(surv)), spoken=(n % 3 == 1))
            n += 1
        for f in rng.sample(B_SCOPE_TRAPS, 4):
            add(qid, "-", f.format(s=rng.choice(cov), x=rng.choice(exc)), spoken=(n % 3 == 1))
            n += 1
        for f in rng.sample(EMPTY_FORMS, 6):
            add(qid, "-", f.format(k=rng.choice(EMPTY_KEYS[qid])), spoken=(n % 3 == 1))
            n += 1
    for f in STEP_FORMS:
        for _ in range(6):
            (a, a2), (b, b2) = rng.sample(STEPS, 2)
            add("any", "-", f.format(a=a, a2=a2, b=b, b2=b2), spoken=(n % 3 == 1))
            n += 1


def cap(s):
    return s[0].upper() + s[1:] if s else s


def finish(s):
    s = s.strip()
    if s[-1] not in ".?!":
        s += "."
    return cap(s)


def spokenify(s):
    s = s.lower()
    s = re.sub(r"[^a-z0-9' \-]", "", s)
    return re.sub(r"\s+", " ", s).strip()


def main():
    lines = []  # (section, labels, text)
    seen = set()

    def add(section, labels, text, spoken=False):
        text = spokenify(text) if spoken else finish(text)
        key = re.sub(r"[^a-z0-9 ]", "", text.lower())
        if key in seen:
            return
        seen.add(key)
        lines.append((section, labels, text))

    qids = list(QUESTIONS)
    # Restatement: each opener used a bounded number of times, spread over questions and topics.
    for qid in qids:
        clauses, nouns = TOPICS[qid]
        openers = rng.sample(R_OPENERS, 22)
        for i, op in enumerate(openers):
            text = op.format(q=rng.choice(clauses), n=rng.choice(nouns))
            add(qid, "R", text, spoken=(i % 4 == 3))
    # The question repeated back: not a restatement.
    repeats = ["{p}, hmm", "so, {p}", "the question is: {p}", "okay, {p} good question", "you asked, {p}",
               "right, so {p}", "hmm, {p} let me think", "let me restate the question: {p}", "so the question was {p}",
               "{p} okay"]
    for qid, p in QUESTIONS.items():
        for i, r in enumerate(rng.sample(repeats, 6)):
            pp = p[0].lower() + p[1:] if not r.startswith("{p}") else p
            add(qid, "-", r.format(p=pp.rstrip("?.")), spoken=(i % 2 == 1))
    # Trade-offs: pairs through forms, each form used a bounded number of times.
    forms = T_FORMS * 3
    rng.shuffle(forms)
    for i, f in enumerate(forms):
        g, p = T_PAIRS[i % len(T_PAIRS)] if i < len(T_PAIRS) else rng.choice(T_PAIRS)
        add("any", "T", f.format(g=g, p=p), spoken=(i % 4 == 2))
    for i, (a, x, y) in enumerate(T_ADJ):
        for j, f in enumerate(rng.sample(T_ADJ_FORMS, 4)):
            add("any", "T", f.format(a=a, x=x, y=y), spoken=(j == 3))
    # Boundaries.
    n = 0
    for f in B_FORMS:
        for _ in range(9):
            a, c, fl = rng.choice(B_APPROACHES), rng.choice(B_CONDS), rng.choice(B_FAILS)
            c0 = re.sub(r"^(if|when|once|as soon as|for|past|beyond) ", "", c)
            add("any", "B", f.format(a=a, c=c, c0=c0, f=fl), spoken=(n % 4 == 1))
            n += 1
    for t in HAND_R:
        add("any", "R", t, spoken=t[:1].islower())
    for t in HAND_T:
        add("any", "T", t, spoken=t[:1].islower())
    for t in HAND_B:
        add("any", "B", t, spoken=t[:1].islower())
    for group in (HAND_NEG_R, HAND_NEG_T, HAND_NEG_B, HAND_NEUTRAL):
        for t in group:
            add("any", "-", t, spoken=t[:1].islower())
            add("any", "-", t, spoken=True)
    negatives(add)
    more(add)
    import pathlib
    data = pathlib.Path(__file__).resolve().parent.parent / 'data' / 'rubric-training'
    hand = data / 'hand.txt'
    extra = hand.read_text().splitlines() if hand.exists() else []
    # Short windows of two sentences: a point among answer content counts, content or traps alone do not.
    # Other topics, each under the question it answers (`[prompt: ...]`), passed through as sections.
    topic_text = [p.read_text().splitlines() for p in sorted(data.glob('topics*.txt'))]
    topic_lines = []  # (section, labels, text)
    section = "any"
    for line in (line for lines in topic_text for line in lines):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("[") and line.endswith("]"):
            section = line[1:-1].strip()
            continue
        lab, text = line.split("|", 1)
        topic_lines.append((section, lab.strip(), text.strip()))
    hand_lines = [(l, t) for _, l, t in topic_lines]
    for line in extra:
        if "|" in line and not line.lstrip().startswith("#"):
            lab, text = line.split("|", 1)
            hand_lines.append((lab.strip(), text.strip()))
    pos = [(l, t) for l, t in hand_lines if l != "-"] + [(l, t) for l, t in
           [("R", x) for x in HAND_R] + [("T", x) for x in HAND_T] + [("B", x) for x in HAND_B]]
    neg = [t for l, t in hand_lines if l == "-"] + HAND_NEUTRAL + HAND_NEG_T + HAND_NEG_B + HAND_NEG_R
    for i in range(600):
        if i % 2 == 0:
            lab, t = rng.choice(pos)
            a, b = (rng.choice(neg), t) if i % 4 == 0 else (t, rng.choice(neg))
        else:
            lab, a, b = "-", rng.choice(neg), rng.choice(neg)
        sp = a[:1].islower() or b[:1].islower()
        add("any", lab, finish(a) + " " + finish(b), spoken=sp)
    for line in extra:
        line = line.strip()
        if not line or line.startswith("#") or "|" not in line:
            continue
        lab, text = line.split("|", 1)
        add("any", lab.strip(), text.strip(), spoken=text.strip()[:1].islower())

    for section, lab, text in topic_lines:
        add(section, lab, text, spoken=text[:1].islower())

    out = sys.stdout
    out.write("# Training sentences for the semantic rubric head (see src/rubric/semantic.rs, xtask/src/train_rubric.rs).\n")
    out.write("# GENERATED by scripts/rubric-training.py from hand-written fragments and sentences; edit that, not this.\n")
    out.write("# Format: `LABELS | sentence`. LABELS: R (restates the problem), T (names a concrete trade-off),\n")
    out.write("# B (states a boundary: a condition under which the approach stops holding), comma-separated, or `-`.\n")
    out.write("# `[question-id]` sets the question the following sentences answer; `[any]` means no particular question.\n")
    out.write("# Nothing here may appear in tests/fixtures/rubric-eval.toml (a test checks it).\n")
    cur = None
    for section, labels, text in lines:
        if section != cur:
            out.write(f"\n[{section}]\n")
            cur = section
        out.write(f"{labels} | {text}\n")


if __name__ == "__main__":
    main()
