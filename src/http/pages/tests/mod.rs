mod every_language;
