-- A bulk action's frozen account ids (16 bytes each, 1.6 MB for 100k) are random: compression
-- gains nothing on them, yet Confirm paid for trying (40 ms of the 90 ms it took to freeze 100k
-- ids) and the job for reading them back. Stored out of line as they are, uncompressed.
ALTER TABLE "bulk_actions" ALTER COLUMN "account_ids" SET STORAGE EXTERNAL;
