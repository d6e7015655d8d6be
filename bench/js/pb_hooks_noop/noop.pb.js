/// <reference path="../pb_data/types.d.ts" />

// (iii) a record hook that does nothing: its cost on the create path is what the benchmark measures
onRecordCreate((e) => e.next())
