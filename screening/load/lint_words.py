"""The word lists of ``screening lint`` (screening.load.lint), one place to extend.

Judgmental words are listed per language, by the instrument's ``language``; a language
without a list is not checked for them (English, French, Spanish and Chinese have one).
Each entry is a pattern and what to say instead. The lists are a start, drafted by the
project team from person-first and trauma-informed style guides, not reviewed by
people with lived experience yet.
"""

from __future__ import annotations

import re


def _words(*words: str) -> re.Pattern[str]:
    """Whole words or phrases, any case; a space matches any run of spaces."""
    body = "|".join(w.replace(" ", r"\s+") for w in words)
    return re.compile(rf"(?<!\w)(?:{body})(?!\w)", re.IGNORECASE)


def _anywhere(*words: str) -> re.Pattern[str]:
    """For scripts written without spaces between words (Chinese)."""
    return re.compile("|".join(re.escape(w) for w in words))


JUDGMENTAL: dict[str, tuple[tuple[re.Pattern[str], str], ...]] = {
    "en": (
        (
            _words("prostitutes?", "prostitution", "hookers?", "whores?", "child prostitutes?"),
            "say what is happening (selling or trading sex; sexual exploitation of a child)",
        ),
        (_words("admits?", "admitted", "admitting"), "say “say” or “tell”"),
        (_words("claims?", "claimed", "claiming", "alleged(?:ly)?"), "say “say”"),
        (_words("fail(?:s|ed)? to", "failure to"), "say “did not”"),
        (_words("denies", "denied"), "say “says no” or “did not say”"),
        (
            _words("illegal (?:immigrants?|aliens?)", "illegals", "illegal migrants?"),
            "say “a person without immigration status”",
        ),
        (
            _words(
                "addicts?", "junkies?", "drug abusers?", "substance abuse(?:rs?)?", "drug abuse"
            ),
            "say “a person who uses drugs” or “substance use”",
        ),
        (_words("non-?compliant", "non-?compliance", "uncooperative"), "say what was chosen"),
        (_words("promiscuous", "manipulative", "attention-seeking"), "describe, never label"),
    ),
    "fr": (
        (
            _words("prostitué(?:e|es|s)?", "prostitution", "putes?"),
            "dire ce qui se passe (vendre ou échanger du sexe ; exploitation sexuelle)",
        ),
        (_words("avou(?:e|er|é|ée|ent)", "admet(?:tre)?"), "dire « dire » ou « raconter »"),
        (_words("prétend(?:u|ue|re)?", "soi-disant"), "dire « dit »"),
        (
            _words("(?:immigrants?|immigrés?) illégaux?", "clandestins?", "sans-papiers"),
            "dire « une personne sans statut d'immigration »",
        ),
        (
            _words("toxicomanes?", "drogué(?:e|es|s)?", "junkies?"),
            "dire « une personne qui consomme des drogues »",
        ),
        (_words("a échoué à", "n'a pas réussi à"), "dire « n'a pas »"),
    ),
    "es": (
        (_words("prostitutas?", "prostitutos?", "putas?"), "decir qué pasa (vender sexo)"),
        (_words("admit(?:e|ió|ir)", "confies(?:a|ó)"), "decir « dice »"),
        (_words("inmigrantes? ilegal(?:es)?", "ilegales"), "decir « persona sin estatus »"),
        (_words("drogadictos?", "adictos?", "yonquis?"), "decir « persona que usa drogas »"),
    ),
    "zh": (
        (_anywhere("妓女", "卖淫", "娼妓"), "说清楚发生了什么（卖性或以性换取所需）"),
        (_anywhere("非法移民"), "说“没有移民身份的人”"),
        (_anywhere("吸毒者", "瘾君子", "毒虫"), "说“使用药物的人”"),
    ),
}

# Disorder names, and scale names that carry one, in texts a person reads. Matched in
# every instrument (a scale's short name is the same in every language) and in English.
DIAGNOSIS: dict[str, tuple[re.Pattern[str], ...]] = {
    "en": (
        _words(r"c?-?ptsd", "pc-ptsd-5", r"post-?traumatic stress(?: disorder)?"),
        _words("gad(?:-7)?", r"generali[sz]ed anxiety", "anxiety disorders?"),
        _words("depression", "depressive", "dysthymia"),
        _words("disorders?", "bipolar", "schizophreni(?:a|c)", "psychos[ie]s", "psychotic"),
        _words("borderline", "bpd", "adhd", "ocd", "obsessive-compulsive"),
        _words("addiction", "substance use disorder", "alcoholism", "alcoholic"),
    ),
}
DIAGNOSIS["fr"] = (
    *DIAGNOSIS["en"][:2],
    _words("tspt", "stress post-traumatique", "troubles?", "dépression", "dépressif"),
)

# A person text speaks to the person ("you"): these speak about them.
THIRD_PERSON = _words(
    "they",
    "them",
    "their",
    "theirs",
    "themselves",
    "themself",
    "he",
    "she",
    "him",
    "his",
    "her",
    "hers",
    "himself",
    "herself",
    "the (?:person|client|youth|young person|patient|respondent|individual)",
)

SECOND_PERSON = _words("you", "your", "yours", "yourself", "you're", "you've", "you'll")

# Who sees an answer: said once, on the consent screen and the private start page, from
# what the deployment allows; a text of the instrument that says it promises too much or
# too little for some deployment.
PROMISES: tuple[re.Pattern[str], ...] = (
    _words(r"only\b[^.?!]{0,60}\b(?:see|sees|seen|read|reads|knows?|hears?)"),
    _words(r"(?:see|sees|seen|reads?|can see)\b[^.?!]{0,30}\banswers?"),
    _words("seen by", r"who (?:can |will |may )?(?:see|sees|read|reads)"),
    _words("only (?:be )?used", "used only"),
    _words(r"(?:no one|nobody|anyone) else\b[^.?!]{0,20}\b(?:see|sees|read|reads|know|knows)"),
    _words(r"(?:not|never) (?:be )?(?:shared|passed on|told to)"),
    _words("confidential", "stays? between"),
)
