import { packageProject } from '../../scripts/vitestProject.ts';

export default packageProject('node-service');
