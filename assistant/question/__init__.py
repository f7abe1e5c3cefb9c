"""What the question asks, read once: `analysis.QuestionAnalysis` (language, intent, subject, cues), the conversation it follows, the programmes it names."""
