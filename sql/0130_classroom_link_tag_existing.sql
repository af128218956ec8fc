-- "Also add these tags to accounts that already exist": on by default, for the links already made too.
ALTER TABLE "classroom_course_links" ADD COLUMN "tag_existing" boolean DEFAULT true NOT NULL;
