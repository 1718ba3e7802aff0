from learnloop.config.formats import iso_first

DATE_INPUT_FORMATS, DATETIME_INPUT_FORMATS = iso_first("en")
