/** The header of Anchore's evaluation table (`GET /images/{d}/check`), one name per row cell. */
export const CHECK_HEADER = [
  'Image_Id',
  'Repo_Tag',
  'Trigger_Id',
  'Gate',
  'Trigger',
  'Check_Output',
  'Gate_Action',
  'Whitelisted',
  'Policy_Id',
] as const;
