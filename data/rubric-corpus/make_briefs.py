#!/usr/bin/env python3
"""Writes the 48 writers' briefs (briefs/NN-topic.md) from the topic and speaker lists below.
Deterministic: re-running gives the same files."""
import os, re

TOPICS = [
    ("data engineering", "Change Data Capture"), ("data engineering", "Lakehouse Table Formats"),
    ("data engineering", "Workflow Orchestration"), ("data engineering", "Data Quality Testing"),
    ("backend", "API Rate Limiting"), ("backend", "Idempotent Payment APIs"),
    ("backend", "Message Queues"), ("backend", "Database Sharding"),
    ("backend", "Caching Strategies"), ("ML", "Feature Stores"),
    ("ML", "Model Monitoring and Drift"), ("ML", "Recommendation Ranking"),
    ("ML", "Retrieval-Augmented Generation"), ("analytics", "A/B Testing Platforms"),
    ("SRE", "Incident Response"), ("SRE", "SLOs and Error Budgets"),
    ("SRE", "Kubernetes Autoscaling"), ("SRE", "Distributed Tracing"),
    ("SRE", "Disaster Recovery"), ("security", "Secrets Management"),
    ("security", "Zero-Trust Networking"), ("security", "Threat Modeling"),
    ("security", "OAuth and Single Sign-On"), ("mobile", "Offline-First Mobile Sync"),
    ("mobile", "Mobile App Startup Performance"), ("mobile", "Push Notifications"),
    ("frontend", "Frontend State Management"), ("frontend", "Core Web Vitals"),
    ("frontend", "Design Systems"), ("frontend", "Web Accessibility"),
    ("analytics", "Experiment Analysis"), ("analytics", "Marketing Attribution"),
    ("analytics", "Dashboard Design"), ("analytics", "Cohort Retention Analysis"),
    ("product", "Product Roadmapping"), ("product", "Pricing Experiments"),
    ("product", "User Onboarding Funnels"), ("management", "Engineering Hiring"),
    ("management", "Technical Debt Prioritisation"), ("management", "Cross-Team Planning"),
    ("management", "Performance Reviews"), ("search", "Search Relevance Tuning"),
    ("embedded", "Firmware Over-the-Air Updates"), ("devops", "CI/CD Pipelines"),
    ("devops", "Infrastructure as Code"), ("games", "Game Server Netcode"),
    ("privacy", "GDPR Data Deletion"), ("distributed systems", "Distributed Consensus"),
]
SPEAKERS = [
    ("nervous junior", "a nervous junior engineer in their first year: hesitant, apologises, restarts sentences, "
     "sometimes over-explains basics, but knows the material reasonably"),
    ("terse senior", "a terse senior with fifteen years of experience: short declarative sentences, jargon, no "
     "small talk, often skips what seems obvious to them"),
    ("rambler", "a rambler: long winding sentences, anecdotes from past jobs, digressions, comes back to the point "
     "late, repeats themselves"),
    ("non-native speaker", "a competent engineer whose English is a second language: simple or slightly "
     "unidiomatic grammar, article and preposition slips, direct word order, occasional word from their own "
     "language's habits (no words in other languages)"),
    ("heavy fillers", "a speaker who uses many fillers and discourse markers: um, uh, like, you know, kind of, "
     "I mean, basically, so yeah, right?, trailing off"),
    ("whisper transcript", "speech as a small Whisper model prints it: mostly lowercase or oddly capitalised, "
     "run-on sentences joined by commas or 'and', numbers as digits, a few misheard words (homophones, a "
     "technical term mangled), sparse punctuation; still a real spoken answer underneath"),
]

TEMPLATE = open(os.path.join(os.path.dirname(__file__), "brief-template.md")).read()

def slug(s):
    return re.sub(r"[^a-z0-9]+", "-", s.lower()).strip("-")

os.makedirs("briefs", exist_ok=True)
for i, (field, topic) in enumerate(TOPICS, 1):
    sp, desc = SPEAKERS[(i - 1) % len(SPEAKERS)]
    name = f"{i:02d}-{slug(topic)}"
    text = (TEMPLATE.replace("{{BRIEF}}", name).replace("{{FIELD}}", field).replace("{{TOPIC}}", topic)
            .replace("{{SPEAKER}}", sp).replace("{{SPEAKER_DESC}}", desc))
    open(f"briefs/{name}.md", "w").write(text)
    print(name, "|", sp)
