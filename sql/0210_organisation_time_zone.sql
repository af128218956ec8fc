-- The organisation's time zone (IANA name): every time on its pages is shown in it. UTC until a
-- system administrator chooses one on the Organisation page; the application checks the name.
ALTER TABLE "organisations" ADD COLUMN "time_zone" text DEFAULT 'UTC' NOT NULL;
