"""Why a file was skipped or changed while reading, in English and Persian.

One catalogue, so the CLI (English, machine-readable ``code``) and the chat
page (Persian) report the same reasons. Templates take named parameters;
numbers are formatted by the caller.
"""

from __future__ import annotations

from typing import Mapping

# code -> (English, Persian)
REASONS: dict[str, tuple[str, str]] = {
    "empty": ("empty file", "فایل خالی است"),
    "binary": ("binary file (not text)", "فایل دودویی است، نه متن"),
    "unsupported_type": ("unsupported file type {suffix}", "نوع فایل {suffix} پشتیبانی نمی‌شود"),
    "too_large": ("{size} bytes, over the article size limit of {limit} bytes",
                  "حجم فایل {size} بایت است و از سقف {limit} بایت برای هر مقاله بیشتر است"),
    "unreadable": ("cannot read file ({error})", "فایل خوانده نشد ({error})"),
    "unreadable_directory": ("cannot read directory ({error})", "پوشه خوانده نشد ({error})"),
    "link_outside": ("link to a file outside the data directory; not read",
                     "پیوند به فایلی بیرون از پوشه داده‌هاست؛ خوانده نشد"),
    "dangling_link": ("broken link: its target does not exist", "پیوند شکسته است: مقصد آن وجود ندارد"),
    "directory_link": ("link to a directory; not followed", "پیوند به یک پوشه است؛ دنبال نشد"),
    "not_a_file": ("not a regular file", "فایل معمولی نیست"),
    "encoding": ("cannot detect the text encoding", "رمزگذاری متن شناخته نشد"),
    "invalid_json": ("invalid JSON ({error})", "JSON نامعتبر است ({error})"),
    "invalid_json_line": ("line {line}: invalid JSON ({error})", "سطر {line}: JSON نامعتبر است ({error})"),
    "json_too_deep": ("JSON nested too deeply", "ساختار JSON بیش از حد تودرتوست"),
    "json_shape": ("JSON must be an object or a list of objects", "JSON باید یک شیء یا فهرستی از شیءها باشد"),
    "no_text_field": ("record has no non-empty 'text' field", "رکورد فیلد «text» ناخالی ندارد"),
    "no_html_text": ("no article text found in the HTML", "در HTML متن خبری پیدا نشد"),
    "read_failed": ("could not be read ({error})", "خواندن فایل ناموفق بود ({error})"),
    "exists": ("a file named {name} already exists; not replaced (rename the file)",
               "فایلی با نام {name} از قبل هست؛ جایگزین نشد. نام فایل را عوض کنید"),
    "not_found": ("{name} is not an article file of the data directory", "{name} در پوشه داده‌ها نیست"),
    "not_in_trash": ("{name} is not in the trash", "{name} در سطل بازیافت نیست"),
    # Not skipped, only reported: the article is indexed with these changes.
    "replaced_bytes": ("{count} bytes that are not valid UTF-8 were replaced by �",
                       "{count} بایت نامعتبر UTF-8 با � جایگزین شد"),
}


def describe(code: str, params: Mapping[str, object], persian: bool = False) -> str:
    """Return the sentence for a reason code.

    Args:
        code: A key of :data:`REASONS`.
        params: Values for the template's named fields.
        persian: Persian instead of English.

    Returns:
        The reason, with parameters filled in.
    """
    english, farsi = REASONS[code]
    return (farsi if persian else english).format(**params)
