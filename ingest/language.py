"""Document language by majority vote of lingua over samples spread through the text."""

from collections import Counter
from functools import lru_cache

from lingua import Language, LanguageDetector, LanguageDetectorBuilder

# The ILO's official and working languages, plus languages of member States the department often works in.
_CANDIDATES = (
    Language.ENGLISH,
    Language.FRENCH,
    Language.SPANISH,
    Language.PORTUGUESE,
    Language.GERMAN,
    Language.ITALIAN,
    Language.DUTCH,
    Language.ARABIC,
    Language.RUSSIAN,
    Language.CHINESE,
    Language.JAPANESE,
    Language.KOREAN,
    Language.TURKISH,
    Language.INDONESIAN,
    Language.MALAY,
    Language.VIETNAMESE,
    Language.THAI,
    Language.UKRAINIAN,
    Language.POLISH,
    Language.SWAHILI,
    Language.HINDI,
    Language.PERSIAN,
    Language.URDU,
    Language.BENGALI,
    Language.TAGALOG,
    Language.KAZAKH,
    Language.MONGOLIAN,
    Language.ROMANIAN,
    Language.GREEK,
)
_SAMPLES = 12
_SAMPLE_CHARS = 600


@lru_cache(maxsize=1)
def detector() -> LanguageDetector:
    """The lingua detector, built once (its models load lazily on first use)."""
    return LanguageDetectorBuilder.from_languages(*_CANDIDATES).build()


@lru_cache(maxsize=1)
def query_detector() -> LanguageDetector:
    """A detector of the three languages kb reads, for questions: in low-accuracy mode (trigrams) its models load
    in milliseconds, where the document detector's take over 2 s of a `kb ask`; on the 142 questions of
    corpus/questions.jsonl and ../shared/eval/realcorpus_dev.jsonl it tells English from the rest as well."""
    return LanguageDetectorBuilder.from_languages(*_CANDIDATES[:3]).with_low_accuracy_mode().build()


def detect_query_language(query: str, default: str = "en") -> str:
    """en, fr or es for a question (`default` when lingua cannot tell)."""
    found = query_detector().detect_language_of(query)
    return found.iso_code_639_1.name.lower() if found is not None else default


def detect_language(text: str, default: str = "en") -> str:
    """The ISO 639-1 code of the language most samples of `text` are written in, else `default`."""
    votes: Counter[str] = Counter()
    for sample in _samples(text):
        found = detector().detect_language_of(sample)
        if found is not None:
            votes[found.iso_code_639_1.name.lower()] += len(sample)
    return votes.most_common(1)[0][0] if votes else default


def _samples(text: str) -> list[str]:
    """Up to `_SAMPLES` windows of letters-rich text taken evenly from start to end."""
    compact = " ".join(text.split())
    if len(compact) <= _SAMPLE_CHARS * _SAMPLES:
        return (
            [compact[i : i + _SAMPLE_CHARS] for i in range(0, len(compact), _SAMPLE_CHARS)] if compact else []
        )
    step = (len(compact) - _SAMPLE_CHARS) // (_SAMPLES - 1)
    windows = [compact[i * step : i * step + _SAMPLE_CHARS] for i in range(_SAMPLES)]
    return [w for w in windows if sum(ch.isalpha() for ch in w) > len(w) / 2]
