"""What each kind of error means to a user of the terminal UI, and what they can do about it."""

from dataclasses import dataclass

from kb.core import errors


@dataclass(frozen=True)
class Explanation:
    """A dialog's title, the error's own message, and what to do next."""

    title: str
    message: str
    advice: str


_ADVICE: list[tuple[type[Exception], str, str]] = [
    (
        errors.IndexNotFoundError,
        "No knowledge base yet",
        "Add documents: press F5 (Library), then a to add a folder; or run `kb ingest FOLDER` in a terminal.",
    ),
    (
        errors.FilterValueError,
        "Unknown filter value",
        "Pick values from the Filters sidebar (ctrl+f), or clear the filters with ctrl+r.",
    ),
    (
        errors.IndexIncompatibleError,
        "Index built with another model",
        "Rebuild it with `kb ingest FOLDER --index NEW_DIR`, or set KB_MODEL to the model it was built with.",
    ),
    (
        errors.IndexCorruptError,
        "Damaged index",
        "Move the index folder away and add the documents again (Library → a, or `kb ingest FOLDER`).",
    ),
    (
        errors.IndexLockedError,
        "Index busy",
        "Another kb process is adding documents. Wait for it to finish, then try again.",
    ),
    (
        errors.IndexWriteError,
        "Cannot write the index",
        "Check free disk space and that you may write to the index folder; the previous index is intact.",
    ),
    (
        errors.StoreUnavailableError,
        "The knowledge base's server failed",
        "Check that the Milvus server is running and reachable, then try again; nothing was left half-written.",
    ),
    (
        errors.ModelLoadError,
        "Cannot load the language model",
        "Set KB_MODEL to a local sentence-transformers folder, or unset it to use the bundled model.",
    ),
    (
        errors.UsageError,
        "Cannot do that",
        "Check what you typed (a path, a question, a value) and try again.",
    ),
    (errors.KbError, "Something went wrong", "Try again; if it keeps happening, report the message above."),
]
# What to do differs where the value was typed: a comparison's groups are typed in its own box.
_COMPARING_ADVICE = {
    errors.FilterValueError: "Check the groups typed in the Compare box (countries by name or code in English, "
    "French or Spanish; regions; years), or the filters set on the Ask screen (F2, ctrl+r clears them).",
}
COMPARING = "comparing"


def explain(error: Exception, doing: str = "") -> Explanation:
    """The explanation of `error`, raised while `doing` something (e.g. `adding a folder`)."""
    error = errors.as_kb_error(error) or error
    title, advice = (
        "Unexpected error",
        "This is a bug in kb. Please report the message above and what you were doing.",
    )
    for kind, kind_title, kind_advice in _ADVICE:
        if isinstance(error, kind):
            title, advice = kind_title, kind_advice
            if doing == COMPARING:
                advice = _COMPARING_ADVICE.get(kind, advice)
            break
    message = str(error) or type(error).__name__
    if not isinstance(error, errors.KbError):
        message = f"{type(error).__name__}: {message}"
    if doing:
        message = f"While {doing}: {message}"
    return Explanation(title, message, advice)
