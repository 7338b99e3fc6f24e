mod device_pages;
mod emailed_pages;
mod every_language;
mod fixtures;
