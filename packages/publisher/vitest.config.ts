import { packageProject } from '../../scripts/vitestProject.ts';

export default packageProject('publisher');
