import { packageProject } from '../../scripts/vitestProject';

export default packageProject('gateway');
